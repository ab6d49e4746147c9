/**
 * Allocation of an order's lines to stock locations (SPEC.md "Locations, split shipments, returns"). Pure:
 * the reservation reads availability (possibly stale), asks `allocate` for a plan, and writes the plan in one
 * transaction whose conditions per (SKU, location) are what really prevent overselling.
 */

/** Stock created before locations existed lives at MAIN, which always exists. */
export const MAIN_LOCATION = 'MAIN';

export interface PlannedLine {
  sku: string;
  quantity: number;
}

/**
 * One shipment of the order, as the reservation writes it on the order: one per location used, ids S1, S2, …
 * in allocation order (S1 is the highest-priority location used).
 */
export interface ShipmentPlan {
  id: string;
  location: string;
  lines: PlannedLine[];
}

export interface AllocationLocation {
  id: string;
  /** Lower first. Ties are broken by id. */
  priority: number;
}

/** Available units by SKU, then by location. A missing entry is 0. */
export type Availability = ReadonlyMap<string, ReadonlyMap<string, number>>;

export type Allocation =
  | { ok: true; shipments: ShipmentPlan[] }
  /** `insufficient`: the locations together do not hold enough of `skus`; `too-large`: every plan needs more transaction actions than allowed. */
  | { ok: false; reason: 'insufficient' | 'too-large'; skus: string[] };

/**
 * At most this many locations are considered for one order (the highest-priority ones holding any of its
 * SKUs): subsets are enumerated exhaustively, 2^10 − 1 = 1,023 at most.
 */
export const MAX_ALLOCATION_LOCATIONS = 10;

/**
 * DynamoDB's TransactWriteItems takes at most 100 actions; the order's own update is one of them, so a plan
 * may write at most 99 (SKU, location) stock items.
 */
export const MAX_STOCK_ACTIONS = 99;

/**
 * Whether a shipment's units have left its location (split shipping ships one shipment at a time): it has
 * `shippedAt`, or a status SHIPPED or DELIVERED. Fields the fulfillment side adds to the planned shipment.
 */
export function shipmentHasShipped(shipment: ShipmentPlan): boolean {
  const s = shipment as ShipmentPlan & { shippedAt?: unknown; status?: unknown };
  return typeof s.shippedAt === 'string' || s.status === 'SHIPPED' || s.status === 'DELIVERED';
}

/** Orders without `shipments` (placed before locations existed) ship everything as S1 from MAIN. */
export function plannedShipments(order: { items: PlannedLine[]; shipments?: ShipmentPlan[] }): ShipmentPlan[] {
  if (order.shipments?.length) return order.shipments;
  return [{ id: 'S1', location: MAIN_LOCATION, lines: mergeLines(order.items) }];
}

/** Lines merged by SKU, in first-seen order. */
export function mergeLines(lines: readonly PlannedLine[]): PlannedLine[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

export const byPriority = (a: AllocationLocation, b: AllocationLocation) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const availableAt = (availability: Availability, sku: string, location: string) => Math.max(0, availability.get(sku)?.get(location) ?? 0);

/** Index subsets of {0..n-1} of size k, in lexicographic order (so in priority order when indexes are). */
function* combinations(n: number, k: number): Generator<number[]> {
  const pick = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...pick];
    let i = k - 1;
    while (i >= 0 && pick[i] === n - k + i) i--;
    if (i < 0) return;
    pick[i]!++;
    for (let j = i + 1; j < k; j++) pick[j] = pick[j - 1]! + 1;
  }
}

/**
 * The allocation rule:
 *  1. the highest-priority location that can fill the whole order alone;
 *  2. otherwise the fewest locations that together can, and among sets of that size the one whose
 *     priorities, best first, come first (lexicographically);
 *  3. within the chosen set each line is taken from its locations in priority order (a line may be split
 *     across locations when no single chosen one holds all of it).
 * A plan that would write more than `maxActions` stock items is skipped for the next candidate set.
 * Shipments come out in priority order, S1 first; locations the greedy fill left empty are dropped.
 */
export function allocate(
  demand: readonly PlannedLine[],
  locations: readonly AllocationLocation[],
  availability: Availability,
  options: { maxActions?: number; maxLocations?: number } = {},
): Allocation {
  const maxActions = options.maxActions ?? MAX_STOCK_ACTIONS;
  const lines = mergeLines(demand).filter((l) => l.quantity > 0);
  if (!lines.length) return { ok: true, shipments: [] };
  const short = lines.filter((l) => locations.reduce((n, loc) => n + availableAt(availability, l.sku, loc.id), 0) < l.quantity).map((l) => l.sku);
  if (short.length) return { ok: false, reason: 'insufficient', skus: short };
  // Only locations holding something of the order can help; the best `maxLocations` of them are candidates.
  const candidates = [...locations]
    .sort(byPriority)
    .filter((loc) => lines.some((l) => availableAt(availability, l.sku, loc.id) > 0))
    .slice(0, options.maxLocations ?? MAX_ALLOCATION_LOCATIONS);
  let covered = false;
  for (let k = 1; k <= candidates.length; k++) {
    for (const subset of combinations(candidates.length, k)) {
      const chosen = subset.map((i) => candidates[i]!);
      if (!lines.every((l) => chosen.reduce((n, loc) => n + availableAt(availability, l.sku, loc.id), 0) >= l.quantity)) continue;
      covered = true;
      const perLocation = new Map<string, PlannedLine[]>(chosen.map((loc) => [loc.id, []]));
      let actions = 0;
      for (const line of lines) {
        let left = line.quantity;
        for (const loc of chosen) {
          const take = Math.min(left, availableAt(availability, line.sku, loc.id));
          if (take > 0) {
            perLocation.get(loc.id)!.push({ sku: line.sku, quantity: take });
            actions++;
            left -= take;
          }
          if (left === 0) break;
        }
      }
      if (actions > maxActions) continue;
      const used = chosen.filter((loc) => perLocation.get(loc.id)!.length > 0);
      return { ok: true, shipments: used.map((loc, i) => ({ id: `S${i + 1}`, location: loc.id, lines: perLocation.get(loc.id)! })) };
    }
  }
  // Enough in total, but not within the candidate locations or the action limit.
  return { ok: false, reason: covered ? 'too-large' : 'insufficient', skus: lines.map((l) => l.sku) };
}

/** Quantity of each (SKU, location) a plan takes: `${sku}\u0000${location}` → units. */
export function planQuantities(shipments: readonly ShipmentPlan[]): Map<string, { sku: string; location: string; quantity: number }> {
  const out = new Map<string, { sku: string; location: string; quantity: number }>();
  for (const s of shipments) {
    for (const line of s.lines) {
      const key = `${line.sku}\u0000${s.location}`;
      const prev = out.get(key);
      out.set(key, { sku: line.sku, location: s.location, quantity: (prev?.quantity ?? 0) + line.quantity });
    }
  }
  return out;
}
