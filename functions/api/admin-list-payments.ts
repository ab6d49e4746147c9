import { z } from 'zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/pagination';
import { PAYMENT_STATUSES, type PaymentRecord } from '../payments/payment';
import { paymentStore } from '../payments/payment-store';

/** GET /admin/payments?status=&limit=&cursor= — newest first. */
const query = z.strictObject({
  ...pageQuery.shape,
  status: z.enum(PAYMENT_STATUSES).optional(),
});

/** What admins see: ids, amounts, statuses, history and the allowed card fields; no bookkeeping internals. */
export function paymentView(record: PaymentRecord) {
  const { version, refundSequence, pendingRefund, ...view } = record;
  return { ...view, ...(pendingRefund ? { refundInProgress: { amount: pendingRefund.amount, requestedAt: pendingRefund.requestedAt } } : {}) };
}

export const handler = api({ auth: 'admin', query }, async ({ query: q }) => {
  const page = await paymentStore.list({ status: q.status, limit: q.limit, cursor: q.cursor });
  return json(200, { items: page.items.map(paymentView), nextCursor: page.nextCursor });
});
