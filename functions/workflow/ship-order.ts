import * as z from '../domain/zod';
import { step, stepInput } from '../commons/step';
import { orderStore } from '../adapters/order-store';
import { OrderNotActive } from '../orders/errors';
import { captureOrderPayment } from '../payments/service';
import { PaymentStateError } from '../payments/gateway';
import { logger } from '../commons/powertools';
import { recordTrackingEvent } from '../fulfillment/service';
import { shipShipment } from '../fulfillment/ship-shipment';
import { isShipped, SHIPMENT_ID } from '../domain/shipments';

const input = z.extend(stepInput, { shipmentId: z.optional(z.string().check(z.regex(SHIPMENT_ID))) });

/**
 * One shipment handed to the carrier (the workflow's Map runs it per shipment, one at a time). The first
 * one captures the full amount (a cancel racing in after the capture is compensated by a refund); the last
 * one moves the order LABELLED → SHIPPED and takes the units out of stock, in one transaction. Without a
 * shipmentId (runs started before split shipments) every shipment still to go is shipped.
 */
export const handler = step(input, async ({ orderId, shipmentId }) => {
  const order = await orderStore.get(orderId);
  if (order?.status === 'SHIPPED' || order?.status === 'DELIVERED') return { status: order.status };
  if (!order || order.status !== 'LABELLED' || !order.shipment) throw new OrderNotActive(orderId, order?.status);
  const pending = (order.shipments ?? []).filter((s) => !isShipped(s));
  if (shipmentId && !pending.some((s) => s.id === shipmentId)) return { status: order.status, shipmentId, already: true };

  let payment;
  try {
    payment = await captureOrderPayment(orderId);
  } catch (error) {
    // A cancel that voided the authorization first wins: the saga takes the cancel path, not a failure.
    const current = error instanceof PaymentStateError ? await orderStore.get(orderId) : undefined;
    if (current && current.status !== 'LABELLED') throw new OrderNotActive(orderId, current.status);
    throw error;
  }
  const targets = shipmentId ? [shipmentId] : pending.length ? pending.map((s) => s.id) : [undefined];
  let status: string = order.status;
  for (const target of targets) {
    const shipped = await shipShipment(orderId, target, payment);
    status = shipped.order.status;
    // Past the commit nothing may fail the step (its Catch would compensate a shipped order).
    if (shipped.trackingNumber && shipped.shippedAt) {
      await recordTrackingEvent(shipped.trackingNumber, { at: shipped.shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' }).catch((error) =>
        logger.error('Tracking event not recorded', { trackingNumber: shipped.trackingNumber, error: error as Error }),
      );
    }
  }
  return { status, ...(shipmentId ? { shipmentId } : {}) };
});
