import * as z from '../domain/zod';
import { adminActor } from '../commons/auth';
import { api, json, parseOr400 } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { idempotentHandler } from '../commons/idempotency';
import { badRequest, notFound, ProblemError } from '../commons/problem';
import { orderStore } from '../adapters/order-store';
import { PaymentUnavailableError } from '../payments/gateway';
import { refundOrderPayment } from '../payments/service';

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
 * An optional Idempotency-Key makes a retried refund (say, after a timeout) return the first answer instead
 * of refunding again; the same key for another order or amount is a 422.
 */
const idempotent = () =>
  idempotentHandler({
    eventKeyJmesPath: 'headers."idempotency-key"',
    payloadValidationJmesPath: '[pathParameters.id, body]',
    expiresAfterSeconds: 24 * 3600,
    keyOptional: true,
  });

export const handler = api({ auth: 'admin', parsesOwnBody: true, middlewares: [idempotent()] }, async ({ event, params, principal }) => {
  const request = parseBody(event.body, Boolean(event.isBase64Encoded));
  const order = await orderStore.get(params.id);
  if (!order) throw notFound(`Order ${params.id} does not exist.`);
  try {
    const payment = await refundOrderPayment(order.id, request.amount, adminActor(principal));
    await auditAdminAction(principal, 'order.refund', `order:${order.id}`, { amount: request.amount ?? 'remaining', currency: order.total.currency });
    return json(200, { orderId: order.id, payment });
  } catch (error) {
    if (error instanceof PaymentUnavailableError) {
      throw new ProblemError(503, 'payment-provider-unavailable', 'The payment provider is not reachable right now; the refund can be retried.');
    }
    throw error;
  }
});
