import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { listAlerts } from '../inventory/low-stock';

const alertsQuery = z.extend(pageQuery, { open: z.optional(z.enum(['true', 'false'])) });

/** GET /admin/alerts?open=true: low-stock alerts newest first; `open=true` only the unresolved ones. */
export const handler = api({ auth: 'admin', query: alertsQuery }, async ({ query }) =>
  json(200, await listAlerts(query.limit, query.cursor, { open: query.open === 'true' })),
);
