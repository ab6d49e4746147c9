import * as z from '../domain/zod';
import { step, stepInput } from '../commons/step';
import { voidOrderPayment } from '../payments/service';
import { orderStore } from '../adapters/order-store';
import { logger } from '../commons/powertools';

/**
 * Compensation: voids an authorization, or refunds if it was already captured (a cancel that raced the
 * ship step's capture); no-op otherwise. Never for an order that shipped: its goods are gone, so its money
 * stays — a failure after the SHIPPED commit (e.g. a tracking write) must not turn into a refund.
 */
export const handler = step(z.extend(stepInput, { actor: z._default(z.string(), 'step:void-payment') }), async ({ orderId, actor }) => {
  const order = await orderStore.get(orderId);
  if (order && (order.status === 'SHIPPED' || order.status === 'DELIVERED' || order.stock === 'SHIPPED')) {
    logger.error('Compensation reached a shipped order: payment left captured', { status: order.status });
    return { paymentStatus: order.payment?.status ?? null, skipped: 'shipped' };
  }
  const payment = await voidOrderPayment(orderId, actor);
  return { paymentStatus: payment?.status ?? null };
});
