import { step, stepInput } from '../commons/step';
import { orderStore } from '../adapters/order-store';
import { OrderNotActive } from '../orders/errors';
import { shipStock } from '../orders/service';
import { captureOrderPayment } from '../payments/service';
import { PaymentStateError } from '../payments/gateway';
import { logger } from '../commons/powertools';
import { recordTrackingEvent } from '../fulfillment/service';

/**
 * LABELLED → SHIPPED: capture the payment first (a cancel racing in after the capture is compensated by
 * a refund), then the status change and the stock leaving the warehouse in one transaction.
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await orderStore.get(orderId);
  if (order?.status === 'SHIPPED' || order?.status === 'DELIVERED') return { status: order.status };
  if (!order || order.status !== 'LABELLED' || !order.shipment) throw new OrderNotActive(orderId, order?.status);

  let payment;
  try {
    payment = await captureOrderPayment(orderId);
  } catch (error) {
    // A cancel that voided the authorization first wins: the saga takes the cancel path, not a failure.
    const current = error instanceof PaymentStateError ? await orderStore.get(orderId) : undefined;
    if (current && current.status !== 'LABELLED') throw new OrderNotActive(orderId, current.status);
    throw error;
  }
  const shippedAt = new Date().toISOString();
  const shipped = await shipStock(orderId, 'step:ship-order', { payment, shipment: { ...order.shipment, shippedAt } });
  // Past the SHIPPED commit nothing may fail the step (its Catch would compensate a shipped order).
  await recordTrackingEvent(order.shipment.trackingNumber, { at: shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' }).catch((error) =>
    logger.error('Tracking event not recorded', { trackingNumber: order.shipment!.trackingNumber, error: error as Error }),
  );
  return { status: shipped.status };
});
