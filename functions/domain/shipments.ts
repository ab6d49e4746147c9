import { quantitiesBySku } from './inventory';
import type { Order, OrderShipment } from './order';

/**
 * Shipments of an order (SPEC.md "Shipments"). The reservation writes the plan onto the order
 * (`shipments: [{ id, location, lines }]`); an order without one is a single shipment S1 from MAIN with all
 * its lines. Pure: no AWS.
 */
export { MAIN_LOCATION, plannedShipments, type ShipmentPlan } from './allocation';
export const FIRST_SHIPMENT_ID = 'S1';

export const isShipped = (s: Pick<OrderShipment, 'status'>) => s.status === 'SHIPPED' || s.status === 'DELIVERED';
export const isDelivered = (s: Pick<OrderShipment, 'status'>) => s.status === 'DELIVERED';

/** A shipment id as the routes accept it. */
export const SHIPMENT_ID = /^S[1-9][0-9]{0,2}$/;

/**
 * What may still be returned, per (shipment, SKU): the units of delivered shipments whose delivery is within
 * the return window. `returned` is what open or finished returns already hold.
 */
export function returnableUnits(
  order: Pick<Order, 'shipments'>,
  returned: Record<string, number>,
  now: Date,
  windowDays: number,
): { shipmentId: string; location: string; sku: string; delivered: number; remaining: number }[] {
  const limit = windowDays * 24 * 3600 * 1000;
  return (order.shipments ?? []).flatMap((s) => {
    if (!isDelivered(s) || !s.deliveredAt || now.getTime() - Date.parse(s.deliveredAt) > limit) return [];
    return s.lines.map((line) => {
      const key = returnCounterKey(s.id, line.sku);
      return { shipmentId: s.id, location: s.location, sku: line.sku, delivered: line.quantity, remaining: line.quantity - (returned[key] ?? 0) };
    });
  });
}

/** The counter of returned units of one SKU in one shipment (one attribute of the order's RETURNS item). */
export const returnCounterKey = (shipmentId: string, sku: string) => `${shipmentId}#${sku}`;

/**
 * Assigns requested quantities to shipments, first fit in shipment order. Undefined when the request needs
 * more than remains, or units from shipments of different locations (one return goes to one location).
 */
export function assignReturn(
  units: ReturnType<typeof returnableUnits>,
  items: { sku: string; quantity: number }[],
): { shipmentId: string; location: string; sku: string; quantity: number }[] | { error: 'exceeds' | 'locations'; sku?: string } {
  const left = new Map(units.map((u) => [returnCounterKey(u.shipmentId, u.sku), u.remaining]));
  const out: { shipmentId: string; location: string; sku: string; quantity: number }[] = [];
  for (const [sku, wanted] of quantitiesBySku(items)) {
    let need = wanted;
    for (const u of units.filter((x) => x.sku === sku)) {
      const key = returnCounterKey(u.shipmentId, sku);
      const take = Math.min(need, left.get(key) ?? 0);
      if (take <= 0) continue;
      out.push({ shipmentId: u.shipmentId, location: u.location, sku, quantity: take });
      left.set(key, (left.get(key) ?? 0) - take);
      need -= take;
      if (need === 0) break;
    }
    if (need > 0) return { error: 'exceeds', sku };
  }
  if (new Set(out.map((o) => o.location)).size > 1) return { error: 'locations' };
  return out;
}
