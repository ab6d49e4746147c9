import { z } from 'zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/pagination';
import { listAudit } from '../adapters/audit-store';

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());
/** A bare date means the whole day, in UTC; a date-time is taken as given (any offset) and normalised. */
const startOf = (value: string) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString());
const endOf = (value: string) => (value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString());

const auditQuery = pageQuery
  .extend({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from || !q.to || startOf(q.from) <= endOf(q.to), { message: 'from must not be after to', path: ['from'] });

/** GET /admin/audit?from=&to= — the admin audit log, newest first: { seq, at, actor, action, target, details, hash }. */
export const handler = api({ auth: 'admin', query: auditQuery }, async ({ query }) =>
  json(200, await listAudit({ from: query.from && startOf(query.from), to: query.to && endOf(query.to), limit: query.limit, cursor: query.cursor })),
);
