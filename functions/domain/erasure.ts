import type { Address, Customer } from './order';

/** What erased personal fields read afterwards. */
export const ERASED = '[erased]';
/** Still a syntactically valid address (schemas and views expect one) that can never receive mail. */
export const ERASED_EMAIL = 'erased@erased.invalid';

/** The personal values held in one order: the customer's names, emails, phones and street lines. */
export function personalValues(order: { customer?: Partial<Customer>; shippingAddress?: Partial<Address> }): string[] {
  const values = [
    order.customer?.name,
    order.customer?.email,
    order.customer?.phone,
    order.shippingAddress?.name,
    order.shippingAddress?.line1,
    order.shippingAddress?.line2,
  ];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.trim().length > 0 && v !== ERASED && v !== ERASED_EMAIL))];
}

/** The order's own fields after erasure: totals, dates, country (and city, postcode) stay, the person goes. */
export function erasedCustomer(customer: Customer): Customer {
  return { name: ERASED, email: ERASED_EMAIL, ...(customer.phone !== undefined ? { phone: ERASED } : {}) };
}
export function erasedAddress(address: Address): Address {
  return {
    ...address,
    ...(address.name !== undefined ? { name: ERASED } : {}),
    line1: ERASED,
    ...(address.line2 !== undefined ? { line2: ERASED } : {}),
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every occurrence of the given values in a text, also in their JSON-escaped forms (a name with a
 * quote inside a stored JSON string, or inside a JSON string inside another). Values shorter than 3
 * characters are not searched for inside other text (they would match unrelated words); the known fields
 * are replaced by erasedCustomer/erasedAddress regardless. Case-insensitive for emails.
 */
export function scrubText(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (value.length < 3) continue;
    const once = JSON.stringify(value).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of new Set([value, once, twice])) {
      out = out.replace(new RegExp(escapeRegExp(form), value.includes('@') ? 'gi' : 'g'), value.includes('@') ? ERASED_EMAIL : ERASED);
    }
  }
  return out;
}

/** scrubText over every string of a stored item, except the named attributes (keys). */
export function scrubItem<T>(value: T, values: readonly string[], skip: ReadonlySet<string> = new Set()): T {
  if (typeof value === 'string') return scrubText(value, values) as T;
  if (Array.isArray(value)) return value.map((v) => scrubItem(v, values)) as T;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Set)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skip.has(k) ? v : scrubItem(v, values)])) as T;
  }
  return value;
}
