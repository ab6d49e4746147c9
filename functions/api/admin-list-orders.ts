import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { endOf, isoDate, rangeCheck, startOf } from '../commons/date-range';
import { pageQuery } from '../commons/page-query';
import { ORDER_STATUSES } from '../domain/order';
import { parseSearchTerm, searchOrders } from '../adapters/order-search';

const adminOrdersQuery = z
  .extend(pageQuery, {
    status: z.optional(z.enum(ORDER_STATUSES)),
    email: z.optional(z.email()),
    from: z.optional(isoDate),
    to: z.optional(isoDate),
    /** `true`: only orders flagged for a person (the overview's "needs attention" queue links here). */
    needsAttention: z.optional(z.literal('true')),
    q: z.optional(
      z.string().check(
        z.maxLength(254),
        z.refine((q) => parseSearchTerm(q) !== undefined, 'an order number (1001 or #1001), an order id, or at least 3 characters of an email or name'),
      ),
    ),
  })
  .check(rangeCheck);

/** Admin order search newest first: by status, email, date range and `q` (docs/data-model.md). */
export const handler = api({ auth: 'admin', query: adminOrdersQuery }, async ({ query }) => {
  const from = query.from && startOf(query.from);
  const to = query.to && endOf(query.to);
  const q = query.q === undefined ? undefined : parseSearchTerm(query.q);
  const page = await searchOrders({ status: query.status, email: query.email, from, to, q, needsAttention: query.needsAttention === 'true', limit: query.limit, cursor: query.cursor });
  return json(200, {
    items: page.items.map((order) => ({
      id: order.id,
      number: order.number ?? null,
      status: order.status,
      failureReason: order.failureReason,
      email: order.customer.email,
      name: order.customer.name,
      total: order.total,
      lines: order.items.length,
      payment: order.payment ? { status: order.payment.status, brand: order.payment.brand, last4: order.payment.last4 } : null,
      trackingNumber: order.shipment?.trackingNumber ?? null,
      needsAttention: (order as { needsAttention?: unknown }).needsAttention ?? null,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    })),
    nextCursor: page.nextCursor,
  });
});
