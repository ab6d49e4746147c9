import { z } from 'zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/pagination';
import { ORDER_STATUSES } from '../domain/order';
import { orderStore } from '../adapters/order-store';

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

const adminOrdersQuery = pageQuery.extend({
  status: z.enum(ORDER_STATUSES).optional(),
  email: z.email().optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

/** Admin order search newest first: by status, email and date range (docs/data-model.md). */
export const handler = api({ auth: 'admin', query: adminOrdersQuery }, async ({ query }) => {
  // A bare date means the whole day, in UTC.
  const from = query.from && query.from.length === 10 ? `${query.from}T00:00:00.000Z` : query.from && new Date(query.from).toISOString();
  const to = query.to && query.to.length === 10 ? `${query.to}T23:59:59.999Z` : query.to && new Date(query.to).toISOString();
  const page = await orderStore.search({ status: query.status, email: query.email, from, to, limit: query.limit, cursor: query.cursor });
  return json(200, {
    items: page.items.map((order) => ({
      id: order.id,
      status: order.status,
      failureReason: order.failureReason,
      email: order.customer.email,
      name: order.customer.name,
      total: order.total,
      lines: order.items.length,
      payment: order.payment ? { status: order.payment.status, brand: order.payment.brand, last4: order.payment.last4 } : null,
      trackingNumber: order.shipment?.trackingNumber ?? null,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    })),
    nextCursor: page.nextCursor,
  });
});
