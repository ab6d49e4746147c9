import type { Order, StockState } from './order';
import { MAIN_LOCATION, plannedShipments, shipmentHasShipped, type ShipmentPlan } from './allocation';

/**
 * The inventory ledger of SPEC.md: every change of a SKU's levels as a movement. Order movements are
 * projected from committed order changes (old image → new image, as the table's change stream delivers
 * them), so the reservation path and its transaction limits are untouched; adjustments are written with
 * the adjustment itself. Summing every movement from zero gives today's onHand and reserved.
 */
export const MOVEMENT_TYPES = ['adjustment', 'reservation', 'release', 'shipment', 'return', 'transfer'] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export interface Movement {
  sku: string;
  at: string;
  type: MovementType;
  location: string;
  onHandDelta: number;
  reservedDelta: number;
  orderId?: string;
  /** Order movements: the shipment (hence location) of the order they belong to. Not listed. */
  shipmentId?: string;
  by: string;
  reason?: string;
}

/** Stock created before locations existed lives at MAIN. */
export const DEFAULT_LOCATION = MAIN_LOCATION;

const stockTransitions: { from: StockState[]; to: StockState; type: MovementType; onHand: -1 | 0; reserved: 1 | -1; reason: string }[] = [
  { from: ['NONE'], to: 'RESERVED', type: 'reservation', onHand: 0, reserved: 1, reason: 'Reserved for the order' },
  { from: ['RESERVED'], to: 'RELEASED', type: 'release', onHand: 0, reserved: -1, reason: 'Reservation released' },
  { from: ['RESERVED'], to: 'SHIPPED', type: 'shipment', onHand: -1, reserved: -1, reason: 'Shipped' },
];

/**
 * Movements caused by one committed order change, one per (shipment, SKU), at the shipment's location:
 * when the order's stock flag moved (NONE→RESERVED reservation, RESERVED→RELEASED release of the shipments
 * not shipped, RESERVED→SHIPPED shipment of those not shipped yet), and when a shipment shipped on its own
 * (split shipping: it gained `shippedAt` or status SHIPPED). Pure and deterministic, so replaying the same
 * change yields the same movements; the ledger store records each (order, shipment, SKU, type) once.
 */
export function movementsForChange(oldImage: Order | undefined, newImage: Order | undefined): Movement[] {
  if (!newImage) return [];
  const before: StockState = oldImage?.stock ?? 'NONE';
  const after = newImage.stock;
  const last = newImage.timeline[newImage.timeline.length - 1];
  const shipments = plannedShipments(newImage);
  const shippedBefore = new Set(oldImage ? plannedShipments(oldImage).filter(shipmentHasShipped).map((s) => s.id) : []);
  const out: Movement[] = [];
  const emit = (rule: (typeof stockTransitions)[number], s: ShipmentPlan) => {
    for (const line of s.lines) {
      out.push({
        sku: line.sku,
        at: newImage.updatedAt,
        type: rule.type,
        location: s.location,
        onHandDelta: rule.onHand * line.quantity,
        reservedDelta: rule.reserved * line.quantity,
        orderId: newImage.id,
        shipmentId: s.id,
        by: last?.actor ?? 'system',
        reason: rule.type === 'release' && last ? `${rule.reason} (${last.status.toLowerCase()})` : rule.reason,
      });
    }
  };
  const rule = before === after ? undefined : stockTransitions.find((t) => t.to === after && t.from.includes(before));
  const shipRule = stockTransitions.find((t) => t.type === 'shipment')!;
  for (const s of shipments) {
    if (rule?.type === 'reservation') emit(rule, s);
    else if (rule?.type === 'release') {
      if (!shipmentHasShipped(s)) emit(rule, s);
    } else if (rule?.type === 'shipment' || (before === 'RESERVED' && after === 'RESERVED')) {
      // The whole order shipped, or one shipment of a split order did: each shipment leaves stock once.
      if (shippedBefore.has(s.id)) continue;
      if (rule?.type === 'shipment' || shipmentHasShipped(s)) emit(shipRule, s);
    }
  }
  return out;
}

/** Levels from a list of movements: what the ledger says onHand and reserved are. */
export function levelsFromMovements(movements: Pick<Movement, 'onHandDelta' | 'reservedDelta'>[]): { onHand: number; reserved: number } {
  return movements.reduce((acc, m) => ({ onHand: acc.onHand + m.onHandDelta, reserved: acc.reserved + m.reservedDelta }), { onHand: 0, reserved: 0 });
}
