import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from './keys';

/**
 * Hot SKUs: the stock of one SKU spread over N shard items, each with its own partition key, so that
 * reservations of that SKU write N different items instead of one (DynamoDB allows ~1,000 write units a
 * second per item; a transactional write costs 2). The SKU's INVENTORY item stays the SKU's record: it
 * carries `shards: N`, the threshold and the alert flag, and is no longer written per order.
 *
 * Each shard holds onHand/reserved/available of its part; the SKU's levels are the sums. A reservation takes
 * a line from one shard when one has enough, else from several, in the same transaction as the order
 * (all lines or none); the order records which shards gave how much (`stockAllocation`), and release and
 * ship give back to exactly those shards, guarded by the order's stock flag (so exactly once).
 */
export const DEFAULT_HOT_SHARDS = 16;

/** Quantity taken from each shard, by SKU: { [sku]: [[shard, quantity], …] } (only hot SKUs appear). */
export type StockAllocation = Record<string, [number, number][]>;

export interface ShardLevels {
  shard: number;
  onHand: number;
  reserved: number;
  available: number;
}

const table = () => config.tableName();

export const shardKey = (sku: string, shard: number) => ({ pk: `${keys.product(sku).pk}#SHARD#${shard}`, sk: 'INVENTORY' });

/** Reads the given shards of a SKU (eventually consistent by default: conditions protect the writes). */
export async function readShards(sku: string, shards: number[], consistent = false): Promise<ShardLevels[]> {
  const out: ShardLevels[] = [];
  for (let i = 0; i < shards.length; i += 100) {
    let request: Record<string, any> | undefined = {
      [table()]: { Keys: shards.slice(i, i + 100).map((s) => shardKey(sku, s)), ConsistentRead: consistent },
    };
    while (request && Object.keys(request).length) {
      const res: BatchGetCommandOutput = await ddb().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[table()] ?? []) {
        out.push({ shard: item.shard, onHand: item.onHand, reserved: item.reserved, available: item.available });
      }
      request = res.UnprocessedKeys;
    }
  }
  return out.sort((a, b) => a.shard - b.shard);
}

export const allShards = (n: number) => Array.from({ length: n }, (_, i) => i);

export function sumShards(shards: ShardLevels[]) {
  return shards.reduce((t, s) => ({ onHand: t.onHand + s.onHand, reserved: t.reserved + s.reserved, available: t.available + s.available }), { onHand: 0, reserved: 0, available: 0 });
}

/** Random order of shard numbers (Fisher–Yates), so concurrent reservations start on different items. */
function shuffled(n: number): number[] {
  const a = allShards(n);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * Which shards give `quantity` units: first two random shards are read (enough in the common case);
 * only when they cannot cover it are all shards read. `plan` is undefined when the SKU has too little in
 * total. `atLeast` is a lower bound of the SKU's available units after this reservation (the shards read,
 * minus the quantity): when it is above the threshold, the low-stock check needs no shard reads.
 */
export async function planShards(sku: string, shards: number, quantity: number): Promise<{ plan: [number, number][] | undefined; atLeast: number }> {
  const order = shuffled(shards);
  const pick = (levels: ShardLevels[]) => {
    const byShard = new Map(levels.map((l) => [l.shard, l]));
    const single = order.find((s) => (byShard.get(s)?.available ?? 0) >= quantity);
    if (single !== undefined) return [[single, quantity]] as [number, number][];
    let left = quantity;
    const plan: [number, number][] = [];
    for (const s of order) {
      const take = Math.min(left, byShard.get(s)?.available ?? 0);
      if (take > 0) {
        plan.push([s, take]);
        left -= take;
      }
      if (left === 0) return plan;
    }
    return undefined;
  };
  const seen = (levels: ShardLevels[]) => levels.reduce((t, l) => t + l.available, 0) - quantity;
  const firstTwo = await readShards(sku, order.slice(0, Math.min(2, shards)));
  const quick = pick(firstTwo);
  if (quick) return { plan: quick, atLeast: seen(firstTwo) };
  const every = await readShards(sku, allShards(shards));
  return { plan: pick(every), atLeast: seen(every) };
}

/** The TransactWrite items of a shard plan: one conditional update per shard (`available >= qty`). */
export const shardUpdates = {
  reserve: (sku: string, plan: [number, number][], now: string) =>
    plan.map(([shard, q]) => ({
      Update: {
        TableName: table(),
        Key: shardKey(sku, shard),
        UpdateExpression: 'SET reserved = reserved + :q, available = available - :q, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND available >= :q',
        ExpressionAttributeValues: { ':q': q, ':now': now },
      },
    })),
  release: (sku: string, plan: [number, number][], now: string) =>
    plan.map(([shard, q]) => ({
      Update: {
        TableName: table(),
        Key: shardKey(sku, shard),
        UpdateExpression: 'SET reserved = reserved - :q, available = available + :q, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND reserved >= :q',
        ExpressionAttributeValues: { ':q': q, ':now': now },
      },
    })),
  ship: (sku: string, plan: [number, number][], now: string) =>
    plan.map(([shard, q]) => ({
      Update: {
        TableName: table(),
        Key: shardKey(sku, shard),
        UpdateExpression: 'SET reserved = reserved - :q, onHand = onHand - :q, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND reserved >= :q AND onHand >= :q',
        ExpressionAttributeValues: { ':q': q, ':now': now },
      },
    })),
};

/** Puts of a SKU's shard items: `free` units spread as evenly as possible, `reserved` units on shard 0. */
export function shardPuts(sku: string, shards: number, free: number, reserved: number, now: string) {
  return allShards(shards).map((shard) => {
    const available = Math.floor(free / shards) + (shard < free % shards ? 1 : 0);
    const held = shard === 0 ? reserved : 0;
    return {
      Put: {
        TableName: table(),
        Item: { ...shardKey(sku, shard), entity: 'INVENTORY_SHARD', sku, shard, onHand: available + held, reserved: held, available, updatedAt: now },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  });
}

/**
 * Turns a SKU hot: its levels move from the INVENTORY item into `shards` shard items (spread as evenly as
 * possible), in one transaction conditioned on the levels read. Reserved units move too (onto shard 0),
 * so orders reserved before the switch release and ship from there (orders without an allocation use
 * shard 0 of a hot SKU). Already hot: nothing changes.
 */
export async function makeHot(sku: string, shards = DEFAULT_HOT_SHARDS): Promise<boolean> {
  const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true }));
  if (!Item) return false;
  if (Item.shards) return true;
  const now = new Date().toISOString();
  const items = shardPuts(sku, shards, Item.available as number, Item.reserved as number, now);
  await ddb().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table(),
            Key: keys.inventory(sku),
            UpdateExpression: 'SET shards = :n, onHand = :zero, reserved = :zero, available = :zero, updatedAt = :now',
            ConditionExpression: 'attribute_not_exists(shards) AND onHand = :onHand AND reserved = :reserved',
            ExpressionAttributeValues: { ':n': shards, ':zero': 0, ':now': now, ':onHand': Item.onHand, ':reserved': Item.reserved },
          },
        },
        ...items,
      ],
    }),
  );
  return true;
}
