import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { config } from '../commons/config';
import { allocate, MAIN_LOCATION, MAX_STOCK_ACTIONS, mergeLines, plannedShipments, shipmentHasShipped, type Allocation, type ShipmentPlan } from '../domain/allocation';
import type { Order } from '../domain/order';
import { allShards, planShards, readShards, shardKey, shardUpdates, sumShards, type StockAllocation } from '../adapters/hot-stock';
import { availabilityOf, inventoryUpdates, locationStockKey, locationUpdates, shardCounts } from '../adapters/inventory-store';
import { locationStore } from '../adapters/location-store';
import { ledgerStore } from '../adapters/ledger-store';
import { keys } from '../adapters/keys';
import { failedConditions, transactWrite } from '../adapters/transactions';
import { rearmLowStock } from './low-stock';

type TransactItem = Parameters<typeof transactWrite>[0][number];

/** Stock items of one reservation attempt, each with the SKU it belongs to, after the order's own update. */
export interface ReservationPlan {
  ok: true;
  shipments: ShipmentPlan[];
  /** Hot SKUs: the shards MAIN's part was taken from. */
  allocation: StockAllocation;
  items: { sku: string; item: TransactItem }[];
  /** Hot SKUs: a lower bound of available after the reservation (skips the low-stock reads). */
  atLeast: Map<string, number>;
  shards: Map<string, number>;
}

export type PlanOutcome = ReservationPlan | { ok: false; skus: string[]; reason: Exclude<Allocation, { ok: true }>['reason'] };

/**
 * Plans one reservation attempt: where each line comes from (the allocation rule of domain/allocation.ts over
 * the active locations) and the conditional stock updates that take it, one per (SKU, location) — or per
 * shard of a hot SKU's MAIN stock. `fresh` (a retry after a condition failed) reads consistently and reads a
 * hot SKU's shard sums instead of assuming MAIN can give it. With MAIN the only active location nothing is
 * read: everything is asked of MAIN, as before locations existed.
 */
export async function planReservation(order: Pick<Order, 'items'>, now: string, fresh: boolean): Promise<PlanOutcome> {
  const lines = mergeLines(order.items);
  const skus = lines.map((l) => l.sku);
  const [locations, shards] = await Promise.all([locationStore.active(), shardCounts(skus)]);
  let shipments: ShipmentPlan[];
  let assumedHot = false;
  if (locations.length === 1 && locations[0]!.id === MAIN_LOCATION) {
    shipments = [{ id: 'S1', location: MAIN_LOCATION, lines }];
  } else {
    const { available, hot } = await availabilityOf(skus, fresh);
    for (const [sku, n] of hot) {
      // A hot SKU's MAIN stock is spread over shards, planned below; assume MAIN has it unless retrying.
      const main = fresh ? sumShards(await readShards(sku, allShards(n))).available : Number.MAX_SAFE_INTEGER;
      assumedHot ||= !fresh;
      available.get(sku)!.set(MAIN_LOCATION, main);
      shards.set(sku, n);
    }
    const allocation = allocate(lines, locations, available, { maxActions: MAX_STOCK_ACTIONS });
    if (!allocation.ok) return allocation;
    shipments = allocation.shipments;
  }
  const items: ReservationPlan['items'] = [];
  const allocation: StockAllocation = {};
  const atLeast = new Map<string, number>();
  const short: string[] = [];
  for (const s of shipments) {
    for (const { sku, quantity } of s.lines) {
      if (s.location !== MAIN_LOCATION) {
        items.push({ sku, item: locationUpdates.reserve(sku, s.location, quantity, now) });
        continue;
      }
      const n = shards.get(sku) ?? 0;
      if (!n) {
        items.push({ sku, item: inventoryUpdates.reserve(sku, quantity, now) });
        continue;
      }
      const { plan, atLeast: bound } = await planShards(sku, n, quantity);
      atLeast.set(sku, bound);
      if (!plan) short.push(sku);
      else {
        allocation[sku] = plan;
        for (const item of shardUpdates.reserve(sku, plan, now)) items.push({ sku, item });
      }
    }
  }
  // A hot SKU's MAIN was assumed to have enough and its shards do not: allocate again knowing their sums.
  if (short.length && assumedHot) return planReservation(order, now, true);
  if (short.length) return { ok: false, skus: short, reason: 'insufficient' };
  // The order's own update is the hundredth action at most (a hot line split over shards adds some).
  if (items.length > MAX_STOCK_ACTIONS) return { ok: false, skus, reason: 'too-large' };
  return { ok: true, shipments, allocation, items, atLeast, shards };
}

/** Whether a failed reservation attempt is worth planning again (another location or shard may have it). */
export function worthReplanning(plan: ReservationPlan, failedIndexes: number[]): boolean {
  // With several locations, or a hot SKU, fresh reads can give another plan; MAIN alone refusing is final.
  return plan.shipments.length > 1 || plan.shipments.some((s) => s.location !== MAIN_LOCATION) || failedIndexes.some((i) => (plan.shards.get(plan.items[i]?.sku ?? '') ?? 0) > 0) || Object.keys(plan.allocation).length > 0;
}

/** The stock items of one planned shipment, for `release` (back where it came from) or `ship` (out of that location). */
function shipmentItems(order: Order, s: ShipmentPlan, kind: 'release' | 'ship', now: string, shards: Map<string, number>): TransactItem[] {
  return s.lines.flatMap(({ sku, quantity }) => {
    if (s.location !== MAIN_LOCATION) return [locationUpdates[kind](sku, s.location, quantity, now)];
    // MAIN of a hot SKU: the shards recorded at reservation (shard 0 when reserved before the SKU turned hot).
    const plan = order.stockAllocation?.[sku] ?? ((shards.get(sku) ?? 0) > 0 ? ([[0, quantity]] as [number, number][]) : undefined);
    return plan ? shardUpdates[kind](sku, plan, now) : [inventoryUpdates[kind](sku, quantity, now)];
  });
}

async function shardsOfUnallocated(order: Order, shipments: ShipmentPlan[]): Promise<Map<string, number>> {
  const mainSkus = shipments.filter((s) => s.location === MAIN_LOCATION).flatMap((s) => s.lines.map((l) => l.sku)).filter((sku) => !order.stockAllocation?.[sku]);
  return mainSkus.length ? shardCounts([...new Set(mainSkus)]) : new Map();
}

/**
 * The items that give an order's reservation back, each unit to the location (and shard) it was taken from:
 * every planned shipment that has not shipped. For the transaction that flips the order's stock flag.
 */
export async function releaseStockItems(order: Order, now: string): Promise<TransactItem[]> {
  const pending = plannedShipments(order).filter((s) => !shipmentHasShipped(s));
  const shards = await shardsOfUnallocated(order, pending);
  return pending.flatMap((s) => shipmentItems(order, s, 'release', now, shards));
}

/** The items that take every not-yet-shipped shipment of the order out of stock (the whole order ships). */
export async function shipStockItems(order: Order, now: string): Promise<TransactItem[]> {
  const pending = plannedShipments(order).filter((s) => !shipmentHasShipped(s));
  const shards = await shardsOfUnallocated(order, pending);
  return pending.flatMap((s) => shipmentItems(order, s, 'ship', now, shards));
}

/**
 * The items that take one shipment out of stock: its location's reserved and onHand both drop by its lines.
 * For the transaction that marks that shipment shipped (conditioned on it not being shipped yet).
 */
export async function shipmentStockItems(order: Order, shipmentId: string, now: string): Promise<TransactItem[]> {
  const shipment = plannedShipments(order).find((s) => s.id === shipmentId);
  if (!shipment) throw new Error(`Order ${order.id} has no shipment ${shipmentId}`);
  const shards = await shardsOfUnallocated(order, [shipment]);
  return shipmentItems(order, shipment, 'ship', now, shards);
}

/**
 * The items that put returned units back on hand at a location, with their ledger movement (type return);
 * with `onceKey` (e.g. `<returnId>#<sku>`) a marker makes them apply at most once, and its condition fails
 * (first item) when they already did.
 */
export function restockItems(sku: string, location: string, quantity: number, reason: string, options: { by?: string; onceKey?: string; at?: string; shards?: number; orderId?: string } = {}): TransactItem[] {
  const at = options.at ?? new Date().toISOString();
  const values = { ':q': quantity, ':at': at };
  const stock: TransactItem =
    location === MAIN_LOCATION
      ? {
          Update: {
            TableName: config.tableName(),
            // A hot SKU's MAIN units go to a random shard (a rise cannot oversell).
            Key: options.shards ? shardKey(sku, Math.floor(Math.random() * options.shards)) : keys.inventory(sku),
            UpdateExpression: 'SET onHand = onHand + :q, available = available + :q, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: values,
          },
        }
      : {
          Update: {
            TableName: config.tableName(),
            Key: locationStockKey(sku, location),
            UpdateExpression: 'SET onHand = if_not_exists(onHand, :zero) + :q, available = if_not_exists(available, :zero) + :q, reserved = if_not_exists(reserved, :zero), updatedAt = :at, #entity = :entity, #sku = :sku, #location = :location',
            ExpressionAttributeNames: { '#entity': 'entity', '#sku': 'sku', '#location': 'location' },
            ExpressionAttributeValues: { ...values, ':zero': 0, ':entity': 'LOCATION_STOCK', ':sku': sku, ':location': location },
          },
        };
  const movement = { sku, at, type: 'return' as const, location, onHandDelta: quantity, reservedDelta: 0, by: options.by ?? 'system', reason, ...(options.orderId ? { orderId: options.orderId } : {}) };
  const once = options.onceKey ? ledgerStore.oncePuts(movement, options.onceKey) : [ledgerStore.adjustmentPut(movement, crypto.randomUUID())];
  return [...once, stock];
}

/**
 * Returned units back on hand at `location` (returns: the shipment's location), with a ledger movement; the
 * SKU's low-stock alert re-arms if it recovered. With `onceKey` it happens at most once: false the second time.
 */
export async function restockAt(sku: string, location: string, quantity: number, reason: string, options: { by?: string; onceKey?: string; orderId?: string } = {}): Promise<boolean> {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new Error('restockAt needs a positive whole quantity');
  const shards = location === MAIN_LOCATION ? (await shardCounts([sku])).get(sku) ?? 0 : 0;
  try {
    await transactWrite(restockItems(sku, location, quantity, reason, { ...options, shards }), { operation: 'restock' });
  } catch (error) {
    if (options.onceKey && error instanceof TransactionCanceledException && failedConditions(error).includes(0)) return false;
    throw error;
  }
  await rearmLowStock([sku]).catch(() => undefined);
  return true;
}
