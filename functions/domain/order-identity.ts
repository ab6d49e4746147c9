import { createHash } from 'node:crypto';

/**
 * An order is identified by (customer, Idempotency-Key): its id is derived from both, so every retry of one
 * intent — however late, after whatever failed — addresses the same item, and a conditional create can never
 * make a second order. Shaped as an RFC 9562 version-8 UUID (custom, hash-based) so it fits every place that
 * takes an order id.
 */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  const hex = createHash('sha256').update(`order\n${userId}\n${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Canonical JSON: object keys sorted, so the same body in another key order or spacing is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What tells "the same key with the same body" (replay the order) from "the same key with another body" (422).
 * Salted with the order id, so the stored value identifies nothing outside this one order.
 */
export function requestFingerprint(orderId: string, body: unknown): string {
  return createHash('sha256').update(`${orderId}\n${canonical(body)}`).digest('base64url');
}
