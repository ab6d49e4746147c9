import type { Order, StockState } from './order';

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
  by: string;
  reason?: string;
}

/** Stock created before locations existed lives at MAIN. */
export const DEFAULT_LOCATION = 'MAIN';

const stockTransitions: { from: StockState[]; to: StockState; type: MovementType; onHand: -1 | 0; reserved: 1 | -1; reason: string }[] = [
  { from: ['NONE'], to: 'RESERVED', type: 'reservation', onHand: 0, reserved: 1, reason: 'Reserved for the order' },
  { from: ['RESERVED'], to: 'RELEASED', type: 'release', onHand: 0, reserved: -1, reason: 'Reservation released' },
  { from: ['RESERVED'], to: 'SHIPPED', type: 'shipment', onHand: -1, reserved: -1, reason: 'Shipped' },
];

/**
 * Movements caused by one committed order change: one per SKU when the order's stock flag moved
 * (NONE→RESERVED reservation, RESERVED→RELEASED release, RESERVED→SHIPPED shipment), none otherwise.
 * Pure and deterministic, so replaying the same change yields the same movements.
 */
export function movementsForChange(oldImage: Order | undefined, newImage: Order | undefined): Movement[] {
  if (!newImage) return [];
  const before: StockState = oldImage?.stock ?? 'NONE';
  const after = newImage.stock;
  if (before === after) return [];
  const rule = stockTransitions.find((t) => t.to === after && t.from.includes(before));
  if (!rule) return [];
  const last = newImage.timeline[newImage.timeline.length - 1];
  const quantities = new Map<string, number>();
  for (const line of newImage.items) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  return [...quantities].map(([sku, quantity]) => ({
    sku,
    at: newImage.updatedAt,
    type: rule.type,
    location: DEFAULT_LOCATION,
    onHandDelta: rule.onHand * quantity,
    reservedDelta: rule.reserved * quantity,
    orderId: newImage.id,
    by: last?.actor ?? 'system',
    reason: rule.type === 'release' && last ? `${rule.reason} (${last.status.toLowerCase()})` : rule.reason,
  }));
}

/** Levels from a list of movements: what the ledger says onHand and reserved are. */
export function levelsFromMovements(movements: Pick<Movement, 'onHandDelta' | 'reservedDelta'>[]): { onHand: number; reserved: number } {
  return movements.reduce((acc, m) => ({ onHand: acc.onHand + m.onHandDelta, reserved: acc.reserved + m.reservedDelta }), { onHand: 0, reserved: 0 });
}
