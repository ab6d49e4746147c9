import * as z from '../domain/zod';
import { api, type ApiResponse } from '../commons/http';
import { endOf, isoDate, rangeCheck, startOf } from '../commons/date-range';
import { ProblemError } from '../commons/problem';
import { ORDER_STATUSES } from '../domain/order';
import { allOrders } from '../adapters/order-search';
import { ordersCsv } from '../orders/reports';

export const EXPORT_MAX_ROWS = 10_000;

const exportQuery = z
  .strictObject({ status: z.optional(z.enum(ORDER_STATUSES)), from: z.optional(isoDate), to: z.optional(isoDate), needsAttention: z.optional(z.literal('true')) })
  .check(rangeCheck);

/** GET /admin/orders/export: the matching orders as CSV (header row as SPEC.md), at most 10,000 rows. */
export const handler = api({ auth: 'admin', query: exportQuery }, async ({ query }): Promise<ApiResponse> => {
  const from = query.from && startOf(query.from);
  const to = query.to && endOf(query.to);
  const { orders, truncated } = await allOrders({ status: query.status, from, to, needsAttention: query.needsAttention === 'true' }, EXPORT_MAX_ROWS);
  if (truncated) {
    throw new ProblemError(422, 'export-too-large', `More than ${EXPORT_MAX_ROWS.toLocaleString('en')} orders match; narrow the date range (from, to) or filter by status.`, [
      { path: 'from', message: 'narrow the range' },
    ]);
  }
  const stamp = [query.status, query.needsAttention && 'needs-attention', query.from, query.to].filter(Boolean).join('_') || 'all';
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="orders-${stamp.replace(/[^A-Za-z0-9_-]/g, '-')}.csv"`,
      'cache-control': 'no-store',
    },
    body: ordersCsv(orders),
  };
});
