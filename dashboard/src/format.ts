import type { Money } from './types';

const LOCALE = undefined; // the admin's browser locale

/** Minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD), from Intl rather than a table. */
export function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Integer minor units → exact decimal string ("12345", 2 → "123.45"): no float division on money. */
export function minorToDecimal(minor: number, digits: number): string {
  const negative = minor < 0;
  const text = Math.abs(Math.trunc(minor)).toString().padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function formatMoney(value: Money | undefined | null): string {
  if (!value || typeof value.amount !== 'number') return '—';
  const digits = fractionDigits(value.currency);
  try {
    // Intl formats decimal strings exactly (no binary rounding of 0.1 + 0.2 style values).
    const format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: value.currency });
    return format.format(minorToDecimal(value.amount, digits) as unknown as number);
  } catch {
    return `${minorToDecimal(value.amount, digits)} ${value.currency}`;
  }
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/**
 * A decimal typed by a person ("12", "12.5", "12.50", "1,234.50") → integer minor units, by string
 * arithmetic so "0.29" is 29 and never 28.999…. More decimals than the currency has is an error, not a
 * silent rounding.
 */
export function parseDecimalToMinor(input: string, currency: string): ParsedAmount {
  const digits = fractionDigits(currency);
  const text = input.trim().replace(/[\s,_]/g, '');
  if (text === '') return { ok: false, message: 'Enter an amount.' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return { ok: false, message: 'Enter a positive number such as 12.50.' };
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return { ok: false, message: digits === 0 ? `${currency} has no minor units; enter a whole number.` : `Use at most ${digits} decimals.` };
  }
  const minor = Number(`${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) return { ok: false, message: 'That amount is too large.' };
  return { ok: true, minor };
}

/** Minor units → the plain decimal an input field shows ("1234.50"). */
export function minorToInput(value: Money): string {
  return minorToDecimal(value.amount, fractionDigits(value.currency));
}

export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Seconds shown: the cancellation window is seconds long, and timelines must order visibly.
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

export function formatNumber(value: number | undefined | null, maximumFractionDigits = 0): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits }).format(value);
}

/** "2026-11-26" from a date input → the start or end of that UTC day as an ISO string for the API. */
export function dayBoundary(day: string, edge: 'start' | 'end'): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return edge === 'start' ? `${day}T00:00:00.000Z` : `${day}T23:59:59.999Z`;
}

export function humanize(value: string): string {
  const text = value.replace(/[_-]+/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Who did it, for people: "customer", the admin's email (or "admin" for old records), "step: reserve stock", never a bare id. */
export function readableActor(actor: string | undefined | null): string {
  if (!actor) return '—';
  const [kind, ...rest] = actor.split(':');
  const detail = rest.join(':');
  if (kind === 'customer') return 'customer';
  if (kind === 'admin') return detail.includes('@') ? detail : 'admin';
  // Workflow steps: `step:reserve-stock` on orders, `workflow:authorize` on payment history.
  if (kind === 'step' || kind === 'workflow') return `step: ${detail.replace(/-/g, ' ')}`;
  if (/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(actor)) return 'admin';
  return actor;
}

/** Server texts carry minor units ("refund 1: 5900 USD", "amount refunded now 5900"): shown as money. */
export function moneyInText(text: string, currency: string): string {
  return text
    .replace(/\b(\d+) ([A-Z]{3})\b/g, (_, amount: string, cur: string) => formatMoney({ amount: Number(amount), currency: cur }))
    .replace(/amount refunded now (\d+)\b/, (_, amount: string) => `refunded so far ${formatMoney({ amount: Number(amount), currency })}`);
}
