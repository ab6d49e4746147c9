import * as z from '../domain/zod';
import { api } from '../commons/http';
import { notFound } from '../commons/problem';
import { SHIPMENT_ID } from '../domain/shipments';
import { labelResponse } from '../fulfillment/label-response';
import { fulfillment } from '../fulfillment/service';

const labelQuery = z.strictObject({ format: z._default(z.enum(['pdf', 'zpl']), 'pdf') });

/**
 * The shipping label of one shipment, admins only: GET /admin/orders/{id}/shipments/{shipmentId}/label, and
 * GET /admin/orders/{id}/label for the first shipment (S1). How it is served: fulfillment/label-response.ts.
 */
export const handler = api({ auth: 'admin', query: labelQuery }, async ({ params, query, headers }) => {
  const orderId = params.id ?? '';
  const shipmentId = params.shipmentId ?? 'S1';
  if (!SHIPMENT_ID.test(shipmentId)) throw notFound(`Order ${orderId} has no shipment ${shipmentId.slice(0, 20)}.`);
  const shipment = await fulfillment().getShipment(orderId, shipmentId);
  if (!shipment || shipment.state !== 'CREATED' || !shipment.labelKeys) {
    throw notFound(params.shipmentId ? `Shipment ${shipmentId} of order ${orderId} has no label yet.` : `Order ${orderId} has no shipping label yet.`);
  }
  return labelResponse({ keys: shipment.labelKeys, trackingNumber: shipment.trackingNumber, what: `order ${orderId}` }, query.format, headers);
});
