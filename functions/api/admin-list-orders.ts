import { z } from 'zod';
import { api, json } from '../commons/http';
import { endOf, isoDate, rangeRefinement, startOf } from '../commons/date-range';
import { pageQuery } from '../commons/pagination';
import { ORDER_STATUSES } from '../domain/order';
import { parseSearchTerm, searchOrders } from '../adapters/order-search';

const adminOrdersQuery = pageQuery
  .extend({
    status: z.enum(ORDER_STATUSES).optional(),
    email: z.email().optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    q: z
      .string()
      .max(254)
      .refine((q) => parseSearchTerm(q) !== undefined, 'an order number (1001 or #1001), an order id, or at least 3 characters of an email or name')
      .optional(),
  })
  .refine(...rangeRefinement);

/** Admin order search newest first: by status, email, date range and `q` (docs/data-model.md). */
export const handler = api({ auth: 'admin', query: adminOrdersQuery }, async ({ query }) => {
  const from = query.from && startOf(query.from);
  const to = query.to && endOf(query.to);
  const q = query.q === undefined ? undefined : parseSearchTerm(query.q);
  const page = await searchOrders({ status: query.status, email: query.email, from, to, q, limit: query.limit, cursor: query.cursor });
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
