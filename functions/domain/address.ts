import type AddressFormatter from '@fragaria/address-formatter';
import { onFirstUse } from './first-use';
import type { Address } from './order';

/**
 * Postal addresses as each country writes them (OpenCage's address-formatting templates through
 * @fragaria/address-formatter: "12 St James Square / London / SW1Y 4JH" for GB, "80-827 Gdańsk" for PL,
 * "Mountain View, CA 94043" for US), and country names in full from Intl.DisplayNames.
 */

/**
 * The formatter is 234 KB of JS, nearly all of it the templates of every country, so it is loaded on first
 * use, not at init: functions that reach this module only through the carrier (the webhook, the label
 * download) never format, and the rest load it once per execution environment, when they first do (need
 * 'addresses' ships it beside the bundle; ./first-use.ts).
 */
const addressFormatter = onFirstUse<typeof AddressFormatter>(() => require('@fragaria/address-formatter'));

const regionNames = new Map<string, Intl.DisplayNames>();

/** "PL" → "Poland" (English by default); an unknown code is returned as given. */
export function countryName(code: string, locale = 'en'): string {
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    regionNames.set(locale, names);
  }
  try {
    return names.of(code.toUpperCase()) ?? code;
  } catch {
    return code; // not a well-formed region code
  }
}

/**
 * The address block in print order, without the recipient's name: street lines, the locality line(s) in
 * the country's own order, and the country name in full as the last line.
 */
export function addressLines(address: Address, options: { locale?: string } = {}): string[] {
  const formatted = addressFormatter().format(
    {
      road: address.line1,
      city: address.city,
      ...(address.region ? { state: address.region } : {}),
      postcode: address.postalCode,
      countryCode: address.country.toUpperCase(),
    },
    { output: 'array', appendCountry: false, abbreviate: false },
  );
  const lines = formatted.map((l) => l.trim()).filter(Boolean);
  // The templates know one street line; a second one (flat, building) follows the first.
  if (address.line2) {
    const at = lines.indexOf(address.line1);
    lines.splice(at >= 0 ? at + 1 : 1, 0, address.line2);
  }
  return [...lines, countryName(address.country, options.locale)];
}
