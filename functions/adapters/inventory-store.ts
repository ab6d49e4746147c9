import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import type { LocationLevels, StockLevels } from '../domain/inventory';
import { MAIN_LOCATION } from '../domain/allocation';
import { allShards, readShards, shardKey, sumShards } from './hot-stock';
import { indexes, keys } from './keys';
import { failedConditions, transactWrite } from './transactions';
import { ledgerStore } from './ledger-store';

export interface Adjustment {
  id: string;
  sku: string;
  /** The location adjusted; its levels after are onHand/reserved/available (MAIN: the SKU's totals before locations). */
  location?: string;
  at: string;
  delta: number;
  reason: string;
  by: string;
  onHand: number;
  reserved: number;
  available: number;
}

export class InsufficientStock extends Error {
  constructor(readonly skus: string[]) {
    super(`Not enough available stock for ${skus.join(', ')}`);
  }
}
export class InventoryNotFound extends Error {}
/** A hot SKU's MAIN stock is spread over shards: it is adjusted, not transferred. */
export class HotStockNotTransferable extends Error {}

/**
 * Stock of a SKU at a location other than MAIN: `PRODUCT#<sku>` / `INVENTORY#<location>` (same partition
 * as the SKU's INVENTORY item, so one Query `begins_with(sk, INVENTORY)` reads the SKU at every location).
 * MAIN's stock stays on the INVENTORY item itself (or its hot shards): the stock that existed before
 * locations is MAIN's without moving a unit.
 */
export const locationStockKey = (sku: string, location: string) =>
  location === MAIN_LOCATION ? keys.inventory(sku) : { pk: keys.product(sku).pk, sk: `INVENTORY#${location}` };

const toLevels = ({ sku, onHand, reserved, available, lowStockThreshold }: Record<string, any>): StockLevels => ({
  sku,
  onHand,
  reserved,
  available,
  lowStockThreshold,
});

/** MAIN's levels from the INVENTORY item; a hot SKU's (with `shards`) are the sums of its shard items. */
async function mainLevelsOf(item: Record<string, any>, consistent = true): Promise<StockLevels> {
  if (!item.shards) return toLevels(item);
  const sums = sumShards(await readShards(item.sku, allShards(item.shards), consistent));
  return { sku: item.sku, ...sums, lowStockThreshold: item.lowStockThreshold };
}

/** Every item of the SKU's partition whose sort key starts with `prefix`, all pages. */
async function partitionItems(sku: string, prefix: string, consistent: boolean): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':prefix': prefix },
        ConsistentRead: consistent,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(Items ?? []));
    start = LastEvaluatedKey;
  } while (start);
  return out;
}

/** The SKU's items at locations other than MAIN (one Query of its partition). */
const otherLocationItems = (sku: string, consistent = true) => partitionItems(sku, 'INVENTORY#', consistent);

const locationLevels = (location: string, l: { onHand: number; reserved: number; available: number }): LocationLevels => ({
  location, onHand: l.onHand, reserved: l.reserved, available: l.available,
});

/**
 * The SKU's levels: totals over every location (what `available` and the low-stock threshold are about),
 * with `locations` listing each (MAIN first, then the others by id).
 */
export async function levelsOf(item: Record<string, any>, consistent = true): Promise<StockLevels> {
  const [main, others] = await Promise.all([mainLevelsOf(item, consistent), otherLocationItems(item.sku, consistent)]);
  return levelsFrom(item, main, others);
}

function levelsFrom(item: Record<string, any>, main: StockLevels, others: Record<string, any>[]): StockLevels {
  const locations = [locationLevels(MAIN_LOCATION, main), ...others.map((o) => locationLevels(String(o.location), o as any)).sort((a, b) => (a.location < b.location ? -1 : 1))];
  const total = locations.reduce((t, l) => ({ onHand: t.onHand + l.onHand, reserved: t.reserved + l.reserved, available: t.available + l.available }), { onHand: 0, reserved: 0, available: 0 });
  return { sku: item.sku, ...total, lowStockThreshold: item.lowStockThreshold, locations };
}

/**
 * How many shards each SKU's stock is spread over (0: one item), cached per execution environment for 30 s:
 * turning a SKU hot is rare, and a reservation planned from a stale "not hot" fails its condition on the
 * emptied INVENTORY item, which makes the caller re-read (`forgetShards`) and plan again.
 */
const shardCache = new Map<string, { shards: Promise<number>; until: number }>();
export async function shardCounts(skus: string[]): Promise<Map<string, number>> {
  const now = Date.now();
  // One lookup per SKU in flight, shared by concurrent reservations (a cold container takes a burst at once).
  const entries = skus.map((sku) => {
    let hit = shardCache.get(sku);
    if (!hit || hit.until <= now) {
      const shards = ddb()
        .send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ProjectionExpression: 'shards' }))
        .then(({ Item }) => Number(Item?.shards ?? 0));
      hit = { shards, until: now + 30_000 };
      shardCache.set(sku, hit);
      shards.catch(() => shardCache.delete(sku));
    }
    return [sku, hit.shards] as const;
  });
  return new Map(await Promise.all(entries.map(async ([sku, shards]) => [sku, await shards] as const)));
}
export const forgetShards = (skus: string[]) => skus.forEach((sku) => shardCache.delete(sku));

/** The SKU's shard count if this environment looked it up lately (no read); 0 when unknown or not hot. */
export const knownShardCount = (sku: string): Promise<number> => (shardCache.get(sku)?.shards ?? Promise.resolve(0)).catch(() => 0);

const table = () => config.tableName();

/**
 * A hot SKU's adjustment: a rise goes to the emptiest shard, a fall is taken from the fullest ones, in one
 * transaction conditioned on each touched shard's levels as read, with the adjustment record. Undefined
 * when a shard moved meanwhile (the caller reads again).
 */
async function adjustShards(sku: string, shards: number, lowStockThreshold: number, delta: number, reason: string, by: string) {
  const levels = await readShards(sku, allShards(shards), true);
  const total = sumShards(levels);
  if (total.available + delta < 0) throw new InsufficientStock([sku]);
  const plan: [ShardLevelsT, number][] = [];
  if (delta > 0) {
    plan.push([[...levels].sort((a, b) => a.available - b.available)[0]!, delta]);
  } else {
    let left = -delta;
    for (const shard of [...levels].sort((a, b) => b.available - a.available)) {
      const take = Math.min(left, shard.available);
      if (take > 0) plan.push([shard, -take]);
      left -= take;
      if (left === 0) break;
    }
  }
  const at = new Date().toISOString();
  const id = crypto.randomUUID();
  const next = { onHand: total.onHand + delta, reserved: total.reserved, available: total.available + delta };
  const adjustment: Adjustment = { id, sku, at, delta, reason, by, ...next };
  try {
    await transactWrite([
      ...plan.map(([shard, d]) => ({
        Update: {
          TableName: table(),
          Key: shardKey(sku, shard.shard),
          UpdateExpression: 'SET onHand = onHand + :d, available = available + :d, updatedAt = :at',
          ConditionExpression: 'onHand = :prevOnHand AND reserved = :prevReserved',
          ExpressionAttributeValues: { ':d': d, ':prevOnHand': shard.onHand, ':prevReserved': shard.reserved, ':at': at },
        },
      })),
      { Put: { TableName: table(), Item: { ...keys.adjustment(sku, at, id), entity: 'ADJUSTMENT', ...adjustment } } },
    ]);
  } catch (error) {
    if (error instanceof TransactionCanceledException && failedConditions(error).length) return undefined;
    throw error;
  }
  return { levels: { sku, ...next, lowStockThreshold }, adjustment };
}
type ShardLevelsT = Awaited<ReturnType<typeof readShards>>[number];

/** One TransactWrite item per SKU; `available` moves with onHand/reserved so conditions can read it. */
export const inventoryUpdates = {
  reserve: (sku: string, quantity: number, now: string) => ({
    Update: {
      TableName: table(),
      Key: keys.inventory(sku),
      UpdateExpression: 'SET reserved = reserved + :q, available = available - :q, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND available >= :q',
      ExpressionAttributeValues: { ':q': quantity, ':now': now },
    },
  }),
  release: (sku: string, quantity: number, now: string) => ({
    Update: {
      TableName: table(),
      Key: keys.inventory(sku),
      UpdateExpression: 'SET reserved = reserved - :q, available = available + :q, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND reserved >= :q',
      ExpressionAttributeValues: { ':q': quantity, ':now': now },
    },
  }),
  /** Shipping turns reserved units into shipped ones: onHand and reserved both drop, available stays. */
  ship: (sku: string, quantity: number, now: string) => ({
    Update: {
      TableName: table(),
      Key: keys.inventory(sku),
      UpdateExpression: 'SET reserved = reserved - :q, onHand = onHand - :q, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND reserved >= :q AND onHand >= :q',
      ExpressionAttributeValues: { ':q': quantity, ':now': now },
    },
  }),
};

/** The same three updates on a location's stock item other than MAIN (conditions per (SKU, location)). */
export const locationUpdates = {
  reserve: (sku: string, location: string, quantity: number, now: string) => ({
    Update: { ...inventoryUpdates.reserve(sku, quantity, now).Update, Key: locationStockKey(sku, location) },
  }),
  release: (sku: string, location: string, quantity: number, now: string) => ({
    Update: { ...inventoryUpdates.release(sku, quantity, now).Update, Key: locationStockKey(sku, location) },
  }),
  ship: (sku: string, location: string, quantity: number, now: string) => ({
    Update: { ...inventoryUpdates.ship(sku, quantity, now).Update, Key: locationStockKey(sku, location) },
  }),
};

/**
 * Available units by SKU and location, for allocation. Eventually consistent unless asked: the reservation's
 * conditions decide. A hot SKU's MAIN is reported as `hotMain` (its shards are planned separately); with
 * `exactHot` the shard sums are read instead.
 */
export async function availabilityOf(skus: string[], consistent = false): Promise<{ available: Map<string, Map<string, number>>; hot: Map<string, number> }> {
  const available = new Map<string, Map<string, number>>();
  const hot = new Map<string, number>();
  await Promise.all(
    skus.map(async (sku) => {
      const perLocation = new Map<string, number>();
      let start: Record<string, any> | undefined;
      do {
        const { Items, LastEvaluatedKey } = await ddb().send(
          new QueryCommand({
            TableName: table(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':prefix': 'INVENTORY' },
            ProjectionExpression: 'sk, available, shards',
            ConsistentRead: consistent,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of Items ?? []) {
          if (item.sk === 'INVENTORY') {
            if (item.shards) hot.set(sku, Number(item.shards));
            else perLocation.set(MAIN_LOCATION, Number(item.available ?? 0));
          } else perLocation.set(String(item.sk).slice('INVENTORY#'.length), Number(item.available ?? 0));
        }
        start = LastEvaluatedKey;
      } while (start);
      available.set(sku, perLocation);
    }),
  );
  return { available, hot };
}

export const inventoryStore = {
  /** The SKU's levels at every location and in total: one strongly consistent Query of its partition (plus shards when hot). */
  async get(sku: string): Promise<StockLevels | undefined> {
    // 'INVENTORY' covers MAIN's item (sk INVENTORY) and every other location's (INVENTORY#<location>).
    const items = await partitionItems(sku, 'INVENTORY', true);
    const main = items.find((item) => item.sk === 'INVENTORY');
    return main ? levelsFrom(main, await mainLevelsOf(main), items.filter((item) => item !== main)) : undefined;
  },

  async list(limit: number, cursor?: string): Promise<Page<StockLevels>> {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        IndexName: indexes.collection,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'INVENTORY' },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: await Promise.all((Items ?? []).map((item) => levelsOf(item, false))), nextCursor: encodeCursor(LastEvaluatedKey) };
  },

  /**
   * Admin adjustment of one location's stock (MAIN by default): never below what is reserved there
   * (available stays ≥ 0). The adjustment record and its ledger movement are written in the same
   * transaction, with the location's levels it produced, so history and stock cannot disagree. Returns the
   * SKU's levels after (totals and per location).
   */
  async adjust(sku: string, delta: number, reason: string, by: string, location: string = MAIN_LOCATION): Promise<{ levels: StockLevels; adjustment: Adjustment }> {
    for (let attempt = 1; ; attempt++) {
      const [{ Item: main }, { Item: atLocation }] = await Promise.all([
        ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true })),
        location === MAIN_LOCATION ? Promise.resolve({ Item: undefined }) : ddb().send(new GetCommand({ TableName: table(), Key: locationStockKey(sku, location), ConsistentRead: true })),
      ]);
      if (!main) throw new InventoryNotFound(sku);
      if (location === MAIN_LOCATION && main.shards) {
        const result = await adjustShards(sku, main.shards, main.lowStockThreshold, delta, reason, by);
        if (result) return { levels: (await this.get(sku)) ?? result.levels, adjustment: { ...result.adjustment, location } };
        if (attempt < 20) continue;
        throw new Error(`Could not adjust ${sku}: its shards kept changing`);
      }
      const item = location === MAIN_LOCATION ? main : atLocation;
      const current = item ? { onHand: Number(item.onHand), reserved: Number(item.reserved), available: Number(item.available) } : { onHand: 0, reserved: 0, available: 0 };
      const at = new Date().toISOString();
      const id = crypto.randomUUID();
      const next = { onHand: current.onHand + delta, reserved: current.reserved, available: current.available + delta };
      if (next.available < 0) throw new InsufficientStock([sku]);
      const adjustment: Adjustment = { id, sku, location, at, delta, reason, by, ...next };
      const values = { ':onHand': next.onHand, ':available': next.available, ':at': at };
      // Conditioned on the levels just read, so the recorded "after" levels are exactly what was written.
      const stockUpdate = item
        ? {
            Update: {
              TableName: table(),
              Key: locationStockKey(sku, location),
              UpdateExpression: 'SET onHand = :onHand, available = :available, updatedAt = :at',
              ConditionExpression: 'onHand = :prevOnHand AND reserved = :prevReserved',
              ExpressionAttributeValues: { ...values, ':prevOnHand': current.onHand, ':prevReserved': current.reserved },
            },
          }
        : {
            Update: {
              TableName: table(),
              Key: locationStockKey(sku, location),
              UpdateExpression: 'SET onHand = :onHand, available = :available, reserved = :zero, updatedAt = :at, #entity = :entity, #sku = :sku, #location = :location',
              ConditionExpression: 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#entity': 'entity', '#sku': 'sku', '#location': 'location' },
              ExpressionAttributeValues: { ...values, ':zero': 0, ':entity': 'LOCATION_STOCK', ':sku': sku, ':location': location },
            },
          };
      try {
        await transactWrite([
          stockUpdate,
          { Put: { TableName: table(), Item: { ...keys.adjustment(sku, at, id), entity: 'ADJUSTMENT', ...adjustment } } },
          // Its ledger movement, in the same transaction (GET /admin/inventory/{sku}/movements).
          ledgerStore.adjustmentPut({ sku, at, type: 'adjustment', location, onHandDelta: delta, reservedDelta: 0, by, reason }, id),
          // A location other than MAIN holds stock only of a SKU that exists (a DELETE racing this loses).
          ...(location === MAIN_LOCATION ? [] : [{ ConditionCheck: { TableName: table(), Key: keys.inventory(sku), ConditionExpression: 'attribute_exists(pk)' } }]),
        ]);
        return { levels: (await this.get(sku))!, adjustment };
      } catch (error) {
        // Someone reserved or adjusted in between: read again and re-decide (bounded).
        if (error instanceof TransactionCanceledException && failedConditions(error).includes(0) && attempt < 20) continue;
        if (error instanceof TransactionCanceledException && failedConditions(error).includes(3)) throw new InventoryNotFound(sku);
        throw error;
      }
    }
  },

  /**
   * Moves `quantity` units of a SKU from one location to another in one transaction: `from` must have them
   * available (InsufficientStock otherwise), `to` must be an active location; two ledger movements
   * (type transfer) are written with it, so the ledger per location and in total keeps summing to the levels.
   */
  async transfer(sku: string, from: string, to: string, quantity: number, reason: string, by: string): Promise<{ levels: StockLevels; id: string }> {
    const { Item: main } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true }));
    if (!main) throw new InventoryNotFound(sku);
    if (main.shards && (from === MAIN_LOCATION || to === MAIN_LOCATION)) throw new HotStockNotTransferable(sku);
    const at = new Date().toISOString();
    const id = crypto.randomUUID();
    const values = { ':q': quantity, ':at': at };
    const move = (m: { location: string; onHandDelta: number }) =>
      ledgerStore.adjustmentPut({ sku, at, type: 'transfer', location: m.location, onHandDelta: m.onHandDelta, reservedDelta: 0, by, reason }, `${id}#${m.location}`);
    try {
      await transactWrite([
        {
          Update: {
            TableName: table(),
            Key: locationStockKey(sku, from),
            UpdateExpression: 'SET onHand = onHand - :q, available = available - :q, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND available >= :q',
            ExpressionAttributeValues: values,
          },
        },
        to === MAIN_LOCATION
          ? {
              Update: {
                TableName: table(),
                Key: keys.inventory(sku),
                UpdateExpression: 'SET onHand = onHand + :q, available = available + :q, updatedAt = :at',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: values,
              },
            }
          : {
              Update: {
                TableName: table(),
                Key: locationStockKey(sku, to),
                UpdateExpression: 'SET onHand = if_not_exists(onHand, :zero) + :q, available = if_not_exists(available, :zero) + :q, reserved = if_not_exists(reserved, :zero), updatedAt = :at, #entity = :entity, #sku = :sku, #location = :location',
                ExpressionAttributeNames: { '#entity': 'entity', '#sku': 'sku', '#location': 'location' },
                ExpressionAttributeValues: { ...values, ':zero': 0, ':entity': 'LOCATION_STOCK', ':sku': sku, ':location': to },
              },
            },
        // The destination must be a stored, active location (MAIN is checked by its stock item above).
        ...(to === MAIN_LOCATION ? [] : [{ ConditionCheck: { TableName: table(), Key: { pk: `LOCATION#${to}`, sk: 'LOCATION' }, ConditionExpression: 'active = :true', ExpressionAttributeValues: { ':true': true } } }]),
        move({ location: from, onHandDelta: -quantity }),
        move({ location: to, onHandDelta: quantity }),
      ], { operation: 'transfer' });
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const failed = failedConditions(error);
        if (failed.includes(0)) throw new InsufficientStock([sku]);
        if (failed.length) throw new InventoryNotFound(`${sku} at ${to}`);
      }
      throw error;
    }
    return { levels: (await this.get(sku))!, id };
  },

  async adjustments(sku: string, limit: number, cursor?: string): Promise<Page<Adjustment>> {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':prefix': 'ADJUSTMENT#' },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (Items ?? []).map(({ id, sku, location, at, delta, reason, by, onHand, reserved, available }) => ({ id, sku, location: location ?? MAIN_LOCATION, at, delta, reason, by, onHand, reserved, available })),
      nextCursor: encodeCursor(LastEvaluatedKey),
    };
  },
};
