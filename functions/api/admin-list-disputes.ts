import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { paymentStore } from '../adapters/payment-store';
import { DISPUTE_STATUSES } from '../payments/payment';

/**
 * GET /admin/disputes?status=&limit=&cursor= — disputed payments, newest dispute first, each with its order
 * id, amount, the dispute and the payment's status. `status` is Stripe's dispute status (needs_response, …).
 */
const query = z.strictObject({
  ...pageQuery.shape,
  status: z.optional(z.enum(DISPUTE_STATUSES)),
});

export const handler = api({ auth: 'admin', query }, async ({ query: q }) => {
  const page = await paymentStore.listDisputes({ status: q.status, limit: q.limit, cursor: q.cursor });
  return json(200, {
    items: page.items.map((p) => ({ orderId: p.orderId, paymentIntentId: p.intentId, amount: p.amount, paymentStatus: p.status, dispute: p.dispute })),
    nextCursor: page.nextCursor,
  });
});
