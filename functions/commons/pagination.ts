import { createHmac, timingSafeEqual } from 'node:crypto';
import { cursorKey } from './cursor-key';
import { badRequest } from './problem';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Bumped if the cursor layout ever changes: old cursors then fail verification (400), never misparse. */
const VERSION = 'v1';

const mac = (payload: string) => createHmac('sha256', cursorKey()).update(`${VERSION}.${payload}`).digest();

/**
 * The cursor is DynamoDB's LastEvaluatedKey, base64url-encoded, with an HMAC-SHA256 over it:
 * `<payload>.<mac>`. Clients cannot read meaning into it or forge one; only keys this service handed out
 * come back to DynamoDB as an ExclusiveStartKey.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  return `${payload}.${mac(payload).toString('base64url')}`;
}

const invalidCursor = () =>
  badRequest('The cursor is not valid; use nextCursor from the previous page.', [{ path: 'cursor', message: 'invalid cursor' }]);

/** Verifies the HMAC before anything else: an altered, forged or unsigned cursor is a 400 and reaches no table. */
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const parts = cursor.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) throw invalidCursor();
  const [payload, signature] = parts;
  const expected = mac(payload);
  const given = Buffer.from(signature, 'base64url');
  // Re-encoding rejects non-canonical base64url (trailing bits) that would decode to the same bytes.
  if (given.length !== expected.length || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) throw invalidCursor();
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const ok = Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
      if (ok) return value as Record<string, unknown>;
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalidCursor();
}
