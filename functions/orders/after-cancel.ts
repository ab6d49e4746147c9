import { logger } from '../commons/powertools';
import type { Order } from '../domain/order';
import { voidOrderPayment } from '../payments/service';

/**
 * Frees the customer's authorization right away after a cancel. Best effort by design: the order's
 * workflow is still running (it only ends at SHIPPED or a terminal status) and its next step sees
 * CANCELLED and runs the same idempotent compensation, so a failure here only delays the void.
 */
export async function voidAfterCancel(order: Order): Promise<Order> {
  // action_required too: a 3-D Secure wait is ended at the provider, so a late approval authorizes nothing.
  if (!order.payment || (order.payment.status !== 'authorized' && order.payment.status !== 'action_required')) return order;
  try {
    const payment = await voidOrderPayment(order.id, order.timeline.at(-1)?.actor ?? 'cancel');
    return payment ? { ...order, payment } : order;
  } catch (error) {
    logger.warn('Void after cancel failed; the workflow compensation will retry', { orderId: order.id, error: error as Error });
    return order;
  }
}
