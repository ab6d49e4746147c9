import * as z from '../domain/zod';
import { adminActor } from '../commons/auth';
import { api, json, parseOr400 } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { badRequest, conflict, notFound } from '../commons/problem';
import { adminOrderView } from '../orders/admin-view';
import { orderStore } from '../adapters/order-store';
import type { Order } from '../domain/order';
import { SHIPMENT_ID } from '../domain/shipments';
import { fulfillment, OrderNotFound, OrderNotShipped } from '../fulfillment/service';

/** Optional body: an empty POST means "delivered now". */
const deliveredBody = z.strictObject({
  reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
  deliveredAt: z.optional(z.iso.datetime({ offset: true })),
});

/** Clock skew allowed for an admin-entered delivery time. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** The shipment a per-shipment call names, as the order holds it now (orders before split shipments: S1 is the order). */
function shipmentOf(order: Order, shipmentId: string): { status: string; trackingNumber?: string } | undefined {
  if (order.shipments?.length) {
    const s = order.shipments.find((x) => x.id === shipmentId);
    return s && { status: s.status ?? 'PLANNED', trackingNumber: s.trackingNumber };
  }
  if (shipmentId !== 'S1') return undefined;
  const status = order.status === 'DELIVERED' ? 'DELIVERED' : order.status === 'SHIPPED' ? 'SHIPPED' : order.status;
  return { status, trackingNumber: order.shipment?.trackingNumber };
}

/**
 * SHIPPED → DELIVERED by hand (the carrier never reported it), the same transaction as the carrier webhook:
 *   POST /admin/orders/{id}/delivered                         every shipment not yet delivered (409 unless SHIPPED)
 *   POST /admin/orders/{id}/shipments/{shipmentId}/delivered  that shipment (the carrier's per-tracking-number
 *     path); the order becomes DELIVERED when every shipment is. Repeating it changes nothing and answers 200
 *     (a concurrent repeat loses the order's version condition and finds the shipment delivered); a shipment
 *     not yet handed to the carrier is a 409, an unknown one a 404.
 */
export const handler = api({ auth: 'admin', parsesOwnBody: true }, async ({ event, params, principal }) => {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  let parsedJson: unknown = {};
  if (raw.trim()) {
    try {
      parsedJson = JSON.parse(raw);
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
  }
  const body = parseOr400(deliveredBody, parsedJson, 'request body');
  const now = Date.now();
  const at = body.deliveredAt ? new Date(body.deliveredAt) : new Date(now);
  if (at.getTime() > now + FUTURE_TOLERANCE_MS) {
    throw badRequest('deliveredAt is in the future.', [{ path: 'deliveredAt', message: 'must not be in the future' }]);
  }
  const orderId = params.id ?? '';
  const shipmentId = params.shipmentId;
  const actor = adminActor(principal);
  let trackingNumber: string | undefined;
  if (shipmentId !== undefined) {
    const missing = () => notFound(`Order ${orderId.slice(0, 64)} has no shipment ${shipmentId.slice(0, 20)}.`);
    if (!SHIPMENT_ID.test(shipmentId)) throw missing();
    const order = await orderStore.get(orderId);
    if (!order) throw notFound(`Order ${orderId.slice(0, 64)} was not found.`);
    const shipment = shipmentOf(order, shipmentId);
    if (!shipment) throw missing();
    if (shipment.status === 'DELIVERED') return json(200, await adminOrderView(orderId));
    if (shipment.status !== 'SHIPPED') throw shipmentNotShipped(orderId, shipmentId, shipment.status);
    trackingNumber = shipment.trackingNumber;
  }
  try {
    await fulfillment().markDelivered(orderId, {
      actor,
      reason: body.reason ?? 'Marked delivered by an administrator',
      at: at.toISOString(),
      description: 'Delivered (confirmed by the merchant)',
      ...(shipmentId !== undefined ? { shipmentId, ...(trackingNumber ? { trackingNumber } : {}) } : {}),
    });
  } catch (error) {
    if (error instanceof OrderNotFound) throw notFound(`Order ${orderId} was not found.`);
    if (error instanceof OrderNotShipped) {
      if (shipmentId === undefined) throw conflict('order-not-shipped', `Order ${orderId} is ${error.status}; only a SHIPPED order can be marked delivered.`);
      // Someone else changed the order meanwhile: delivered the same shipment (an answer), or not.
      const current = await orderStore.get(orderId);
      const shipment = current && shipmentOf(current, shipmentId);
      if (shipment?.status === 'DELIVERED') return json(200, await adminOrderView(orderId));
      throw shipmentNotShipped(orderId, shipmentId, shipment?.status ?? error.status);
    }
    throw error;
  }
  await auditAdminAction(principal, 'order.deliver', `order:${orderId}`, { deliveredAt: at.toISOString(), ...(shipmentId !== undefined ? { shipmentId } : {}) });
  return json(200, await adminOrderView(orderId));
});

const shipmentNotShipped = (orderId: string, shipmentId: string, status: string) =>
  conflict('shipment-not-shipped', `Shipment ${shipmentId} of order ${orderId} is ${status}; only a shipment handed to the carrier can be marked delivered.`);
