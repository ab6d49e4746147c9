import { step, stepInput } from '../commons/step';
import { orderStore } from '../adapters/order-store';
import { OrderNotActive } from '../orders/errors';
import { shipStock } from '../orders/service';
import { captureOrderPayment } from '../payments/service';
import { recordTrackingEvent } from '../fulfillment/service';

/**
 * LABELLED → SHIPPED: capture the payment first (a cancel racing in after the capture is compensated by
 * a refund), then the status change and the stock leaving the warehouse in one transaction.
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await orderStore.get(orderId);
  if (order?.status === 'SHIPPED' || order?.status === 'DELIVERED') return { status: order.status };
  if (!order || order.status !== 'LABELLED' || !order.shipment) throw new OrderNotActive(orderId, order?.status);

  const payment = await captureOrderPayment(orderId);
  const shippedAt = new Date().toISOString();
  const shipped = await shipStock(orderId, 'step:ship-order', { payment, shipment: { ...order.shipment, shippedAt } });
  await recordTrackingEvent(order.shipment.trackingNumber, { at: shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' });
  return { status: shipped.status };
});
