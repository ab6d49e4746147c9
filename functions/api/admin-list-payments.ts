import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { adminPaymentView, PAYMENT_STATUSES } from '../payments/payment';
import { paymentStore } from '../adapters/payment-store';

/** GET /admin/payments?status=&limit=&cursor= — newest first. */
const query = z.strictObject({
  ...pageQuery.shape,
  status: z.optional(z.enum(PAYMENT_STATUSES)),
});

export const handler = api({ auth: 'admin', query }, async ({ query: q }) => {
  const page = await paymentStore.list({ status: q.status, limit: q.limit, cursor: q.cursor });
  return json(200, { items: page.items.map(adminPaymentView), nextCursor: page.nextCursor });
});
