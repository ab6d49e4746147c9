import { orderStore } from '../adapters/order-store';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { shipmentOnlyUpdate, withShipmentChange } from '../adapters/fulfillment/order-shipments';
import { failedConditions, transactWrite } from '../adapters/transactions';
import { shipmentStockItems } from '../inventory/stock';
import { isShipped } from '../domain/shipments';
import type { Order, PaymentSummary } from '../domain/order';
import { OrderNotActive } from '../orders/errors';
import { shipStock } from '../orders/service';

const ACTOR = 'step:ship-order';
const MAX_ATTEMPTS = 10;

export interface ShippedShipment {
  order: Order;
  trackingNumber?: string;
  shippedAt?: string;
}

/**
 * Hands one shipment to the carrier, idempotently: a shipment already SHIPPED is a no-op. Every shipment
 * but the last stays inside the LABELLED order (its element SHIPPED, `shippedParts` counted so a cancel is
 * refused) and takes its own lines out of stock at its location in the same transaction; the last one is the
 * LABELLED → SHIPPED transaction that takes the rest out (docs/decisions.md 2026-12-02). Each write is conditioned on the order's version as read: a
 * concurrent change (the carrier delivering an earlier shipment) makes it re-read and re-decide.
 */
export async function shipShipment(orderId: string, shipmentId: string | undefined, payment: PaymentSummary): Promise<ShippedShipment> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const order = await orderStore.get(orderId);
    if (!order) throw new OrderNotActive(orderId, undefined);
    if (order.status === 'SHIPPED' || order.status === 'DELIVERED') return { order };
    if (order.status !== 'LABELLED') throw new OrderNotActive(orderId, order.status);
    const shipments = order.shipments ?? [];
    const shippedAt = new Date().toISOString();

    if (!shipments.length) {
      // Labelled before split shipments: the whole order is the one shipment.
      const shipped = await shipStock(orderId, ACTOR, { payment, ...(order.shipment ? { shipment: { ...order.shipment, shippedAt } } : {}) });
      return { order: shipped, trackingNumber: order.shipment?.trackingNumber, shippedAt };
    }

    const index = shipmentId ? shipments.findIndex((s) => s.id === shipmentId) : shipments.findIndex((s) => !isShipped(s));
    if (index < 0) throw new Error(`Order ${orderId} has no shipment ${shipmentId ?? 'left to ship'}`);
    const target = shipments[index]!;
    if (isShipped(target)) return { order };
    const remaining = shipments.filter((s) => s !== target && !isShipped(s));
    const mirror = target.id === 'S1' && order.shipment !== undefined;
    const reason =
      shipments.length > 1 ? `Shipment ${target.id} handed to the carrier (${shipments.length - remaining.length} of ${shipments.length})` : 'Handed to the carrier';
    const element = { index, id: target.id };
    const change = { status: 'SHIPPED', shippedAt };

    if (remaining.length === 0) {
      try {
        const shipped = await shipStock(orderId, ACTOR, { payment, ...(mirror ? { shipment: { ...order.shipment!, shippedAt } } : {}) }, {
          reason,
          update: (update) => withShipmentChange(update as never, element, change, order.version) as never,
        });
        return { order: shipped, trackingNumber: target.trackingNumber, shippedAt };
      } catch (error) {
        // Still LABELLED: the version moved (another shipment's delivery); read again.
        if (error instanceof OrderNotActive && (await orderStore.get(orderId))?.status === 'LABELLED') continue;
        throw error;
      }
    }

    const update = withShipmentChange(
      shipmentOnlyUpdate(orderId, { status: 'LABELLED', actor: ACTOR, reason, at: shippedAt, shippedPart: true, payment, ...(mirror ? { shipmentS1: { shippedAt } } : {}) }),
      element,
      change,
      order.version,
    );
    try {
      // The order update first: its condition (status, version, element) failing means someone else moved.
      await transactWrite([{ Update: update }, ...(await shipmentStockItems(order, target.id, shippedAt))], { operation: 'ship' });
      return { order: (await orderStore.get(orderId))!, trackingNumber: target.trackingNumber, shippedAt };
    } catch (error) {
      if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) continue;
      throw error;
    }
  }
  throw new Error(`Could not ship a shipment of order ${orderId}: the order kept changing`);
}
