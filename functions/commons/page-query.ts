import * as z from '../domain/zod';

/**
 * `?limit=` 1–100 (default 25) and an opaque cursor, as SPEC.md's list convention says. Apart from the
 * cursor codec (pagination.ts), which every store imports: the stores' callers that parse no query (workflow
 * steps, the outbox consumer) then carry no validation library.
 */
export const pageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export type PageQuery = z.infer<typeof pageQuery>;
