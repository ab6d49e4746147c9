import { step, stepInput } from '../commons/step';
import { OrderStateConflict, orderStore } from '../adapters/order-store';
import { OrderNotActive } from '../orders/errors';
import { createShipmentForOrder } from '../fulfillment/labelling';

/** PAID → LABELLED: allocates the S10 tracking number and stores the label (idempotent per order). */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await orderStore.get(orderId);
  if (order?.status === 'LABELLED') return { status: 'LABELLED' };
  if (!order || order.status !== 'PAID') throw new OrderNotActive(orderId, order?.status);
  const shipment = await createShipmentForOrder(order);
  try {
    await orderStore.transition(orderId, 'LABELLED', { actor: 'step:create-label', reason: `Label created, tracking ${shipment.trackingNumber}` }, { from: ['PAID'], set: { shipment } });
  } catch (error) {
    if (error instanceof OrderStateConflict) throw new OrderNotActive(orderId, error.current?.status);
    throw error;
  }
  return { status: 'LABELLED', trackingNumber: shipment.trackingNumber };
});
