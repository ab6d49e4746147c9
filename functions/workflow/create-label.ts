import { step, stepInput } from '../commons/step';
import { OrderStateConflict, orderStore } from '../adapters/order-store';
import { OrderNotActive } from '../orders/errors';
import { createShipmentForOrder } from '../fulfillment/labelling';
import { plannedShipments } from '../domain/shipments';
import type { Order, OrderShipment } from '../domain/order';

const idsOf = (order: Order) => plannedShipments(order).map((s) => s.id);

/**
 * PAID → LABELLED: one S10 tracking number and label per planned shipment (idempotent per shipment: each
 * claims its number on its own shipment item), then the order records every shipment in one conditional
 * write. Returns the shipment ids, which the workflow's Map ships one by one.
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await orderStore.get(orderId);
  if (order?.status === 'LABELLED') return { status: 'LABELLED', shipmentIds: idsOf(order) };
  if (!order || order.status !== 'PAID') throw new OrderNotActive(orderId, order?.status);
  const plans = plannedShipments(order);
  const shipments: OrderShipment[] = [];
  const summaries = [];
  for (const plan of plans) {
    const summary = await createShipmentForOrder(order, plan);
    summaries.push(summary);
    shipments.push({
      ...plan,
      status: 'LABELLED',
      trackingNumber: summary.trackingNumber,
      trackingUrl: summary.trackingUrl,
      carrier: summary.carrier,
      service: summary.service,
    });
  }
  const first = summaries[0]!;
  const reason = shipments.length > 1
    ? `Labels created for ${shipments.length} shipments, tracking ${shipments.map((s) => s.trackingNumber).join(', ')}`
    : `Label created, tracking ${first.trackingNumber}`;
  try {
    await orderStore.transition(orderId, 'LABELLED', { actor: 'step:create-label', reason }, { from: ['PAID'], set: { shipment: first, shipments } });
  } catch (error) {
    if (error instanceof OrderStateConflict) throw new OrderNotActive(orderId, error.current?.status);
    throw error;
  }
  return { status: 'LABELLED', trackingNumber: first.trackingNumber, shipmentIds: shipments.map((s) => s.id) };
});
