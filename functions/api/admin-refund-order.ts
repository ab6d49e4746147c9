import * as z from '../domain/zod';
import { adminActor } from '../commons/auth';
import { api, json, parseOr400 } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { badRequest, notFound, ProblemError } from '../commons/problem';
import { idempotencyKey } from '../domain/schemas';
import { orderStore } from '../adapters/order-store';
import { PaymentUnavailableError } from '../payments/gateway';
import { refundOrderPayment, refundOrderPaymentByKey } from '../payments/service';

/**
 * POST /admin/orders/{id}/refund { amount? } — amount in the order currency's minor units; omitted: the whole
 * remaining captured amount. 409 before capture or when fully refunded, 422 above the remaining amount.
 *
 * A refund is not an order status change, so it is not a timeline entry: it is recorded in the payment's
 * history (who, when, how much) and the order's payment summary shows amountRefunded and the status.
 */
const body = z.strictObject({
  amount: z.optional(z.number().check(z.int(), z.positive(), z.lte(Number.MAX_SAFE_INTEGER))),
});

/** The body is optional (no body = full refund), so it is parsed here rather than by the JSON body middleware. */
function parseBody(raw: string | undefined, isBase64Encoded: boolean): z.infer<typeof body> {
  const text = raw ? (isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw) : '';
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  return parseOr400(body, value, 'request body');
}

/**
 * An optional Idempotency-Key names the refund: a retried refund (say, after a timeout) answers the payment
 * instead of refunding again, and the same key with another amount is a 422 (payments/service.ts
 * refundOrderPayment keeps the key in the payment record). Without a key each request is its own refund.
 */
export const handler = api({ auth: 'admin', parsesOwnBody: true }, async ({ event, headers, params, principal }) => {
  const key = headers['idempotency-key'];
  const requestKey = key === undefined ? undefined : parseOr400(idempotencyKey, key, 'Idempotency-Key header');
  const request = parseBody(event.body, Boolean(event.isBase64Encoded));
  const order = await orderStore.get(params.id);
  if (!order) throw notFound(`Order ${params.id} does not exist.`);
  try {
    const actor = adminActor(principal);
    const { payment, repeat } = requestKey === undefined
      ? { payment: await refundOrderPayment(order.id, request.amount, actor), repeat: false }
      : await refundOrderPaymentByKey(order.id, request.amount, actor, requestKey);
    // A repeat is audited too, marked: the first request may have ended before its audit entry was written.
    await auditAdminAction(principal, 'order.refund', `order:${order.id}`, { amount: request.amount ?? 'remaining', currency: order.total.currency, ...(repeat ? { repeat: true } : {}) });
    return json(200, { orderId: order.id, payment });
  } catch (error) {
    if (error instanceof PaymentUnavailableError) {
      throw new ProblemError(503, 'payment-provider-unavailable', 'The payment provider is not reachable right now; the refund can be retried.');
    }
    throw error;
  }
});
