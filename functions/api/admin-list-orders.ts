import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/pagination';
import { ORDER_STATUSES } from '../domain/order';
import { orderStore } from '../adapters/order-store';

const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** A bare date means the whole day, in UTC; a date-time is taken as given (any offset) and normalised. */
const startOf = (value: string) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString());
const endOf = (value: string) => (value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString());

const adminOrdersQuery = z
  .extend(pageQuery, {
    status: z.optional(z.enum(ORDER_STATUSES)),
    email: z.optional(z.email()),
    from: z.optional(isoDate),
    to: z.optional(isoDate),
  })
  .check(z.refine((q) => !q.from || !q.to || startOf(q.from) <= endOf(q.to), { message: 'from must not be after to', path: ['from'] }));

/** Admin order search newest first: by status, email and date range (docs/data-model.md). */
export const handler = api({ auth: 'admin', query: adminOrdersQuery }, async ({ query }) => {
  const from = query.from && startOf(query.from);
  const to = query.to && endOf(query.to);
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
