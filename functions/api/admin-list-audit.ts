import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { endOf, isoDate, rangeCheck, startOf } from '../commons/date-range';
import { listAudit } from '../adapters/audit-store';

const auditQuery = z.extend(pageQuery, { from: z.optional(isoDate), to: z.optional(isoDate) }).check(rangeCheck);

/** GET /admin/audit?from=&to= — the admin audit log, newest first: { seq, at, actor, action, target, details, hash }. */
export const handler = api({ auth: 'admin', query: auditQuery }, async ({ query }) =>
  json(200, await listAudit({ from: query.from && startOf(query.from), to: query.to && endOf(query.to), limit: query.limit, cursor: query.cursor })),
);
