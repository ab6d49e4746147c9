import * as z from '../domain/zod';
import { badRequest } from './problem';

/** `?limit=` 1–100 (default 25) and an opaque cursor, as SPEC.md's list convention says. */
export const pageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The cursor is DynamoDB's LastEvaluatedKey, base64url-encoded: opaque to clients, checked on the way back in. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const ok = Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
      if (ok) return value as Record<string, unknown>;
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('The cursor is not valid; use nextCursor from the previous page.', [{ path: 'cursor', message: 'invalid cursor' }]);
}
