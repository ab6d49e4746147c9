import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import type { Money } from '../domain/money';
import { assignments } from './expressions';
import { ledgerStore } from './ledger-store';
import { DEFAULT_LOCATION } from '../domain/ledger';
import { allShards, DEFAULT_HOT_SHARDS, makeHot, shardKey, shardPuts } from './hot-stock';
import { collections, indexes, keys } from './keys';

export interface Product {
  sku: string;
  name: string;
  description?: string;
  price: Money;
  lowStockThreshold: number;
  active: boolean;
  /** Hot SKU: its stock lives in shard items (adapters/hot-stock.ts). Absent when not hot. */
  hot?: boolean;
  createdAt: string;
  updatedAt: string;
}

export class ProductExists extends Error {}
export class ProductNotFound extends Error {}

const toProduct = ({ sku, name, description, price, lowStockThreshold, active, hot, createdAt, updatedAt }: Record<string, any>): Product => ({
  sku,
  name,
  ...(description ? { description } : {}),
  price,
  lowStockThreshold,
  active,
  ...(hot ? { hot: true } : {}),
  createdAt,
  updatedAt,
});

export const productStore = {
  async get(sku: string): Promise<Product | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.product(sku) }));
    return Item ? toProduct(Item) : undefined;
  },

  /** Products for the given SKUs (missing ones are absent from the map); one BatchGet per 100 keys. */
  async getMany(skus: string[]): Promise<Map<string, Product>> {
    const result = new Map<string, Product>();
    const unique = [...new Set(skus)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, any> | undefined = {
        [config.tableName()]: { Keys: unique.slice(i, i + 100).map(keys.product) },
      };
      // BatchGet may return UnprocessedKeys under load: keep asking until it has answered for all.
      for (let attempt = 0; request && Object.keys(request).length; attempt++) {
        const out: BatchGetCommandOutput = await ddb().send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[config.tableName()] ?? []) result.set(item.sku, toProduct(item));
        request = out.UnprocessedKeys && Object.keys(out.UnprocessedKeys).length ? out.UnprocessedKeys : undefined;
        if (request) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      }
    }
    return result;
  },

  async list(options: { limit: number; cursor?: string; activeOnly: boolean }): Promise<Page<Product>> {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: indexes.collection,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': collections.products, ...(options.activeOnly ? { ':true': true } : {}) },
        ...(options.activeOnly ? { FilterExpression: 'active = :true' } : {}),
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor),
      }),
    );
    return { items: (Items ?? []).map(toProduct), nextCursor: encodeCursor(LastEvaluatedKey) };
  },

  /**
   * Product and its inventory item are created together (one transaction), with the opening stock
   * recorded as the first adjustment when given.
   */
  async create(input: Omit<Product, 'hot'> & { hot?: boolean }, initialStock: number, actor: string): Promise<void> {
    const { hot, ...rest } = input;
    const product: Product = { ...rest, ...(hot ? { hot: true } : {}) };
    const now = product.createdAt;
    const shards = hot ? DEFAULT_HOT_SHARDS : 0;
    const items: any[] = [
      {
        Put: {
          TableName: config.tableName(),
          Item: { ...keys.product(product.sku), entity: 'PRODUCT', gsi1pk: collections.products, gsi1sk: product.sku, ...product },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: config.tableName(),
          Item: {
            ...keys.inventory(product.sku),
            entity: 'INVENTORY',
            gsi1pk: 'INVENTORY',
            gsi1sk: product.sku,
            sku: product.sku,
            // A hot SKU's levels are in its shard items (put below), this item keeps the threshold and flag.
            ...(shards ? { shards, onHand: 0, reserved: 0, available: 0 } : { onHand: initialStock, reserved: 0, available: initialStock }),
            lowStockThreshold: product.lowStockThreshold,
            // Armed only while above the threshold: a product created at or below it has already "crossed".
            lowAlertArmed: initialStock > product.lowStockThreshold,
            updatedAt: now,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(shards ? shardPuts(product.sku, shards, initialStock, 0, now) : []),
    ];
    if (initialStock > 0) {
      const id = crypto.randomUUID();
      items.push({
        Put: {
          TableName: config.tableName(),
          Item: { ...keys.adjustment(product.sku, now, id), entity: 'ADJUSTMENT', id, sku: product.sku, at: now, delta: initialStock, reason: 'Opening stock', by: actor, onHand: initialStock, reserved: 0, available: initialStock },
        },
      });
      items.push(ledgerStore.adjustmentPut({ sku: product.sku, at: now, type: 'adjustment', location: DEFAULT_LOCATION, onHandDelta: initialStock, reservedDelta: 0, by: actor, reason: 'Opening stock' }, id));
    }
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        throw new ProductExists(product.sku);
      }
      throw error;
    }
  },

  /** Edits the product; a threshold change is copied to the inventory item in the same transaction. */
  async update(sku: string, changes: Partial<Pick<Product, 'name' | 'description' | 'price' | 'lowStockThreshold' | 'active' | 'hot'>>): Promise<Product> {
    const now = new Date().toISOString();
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now', ...assignments(changes, names, values)];
    const items: any[] = [
      {
        Update: {
          TableName: config.tableName(),
          Key: keys.product(sku),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (changes.lowStockThreshold !== undefined) {
      items.push({
        Update: {
          TableName: config.tableName(),
          Key: keys.inventory(sku),
          UpdateExpression: 'SET lowStockThreshold = :t, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': changes.lowStockThreshold, ':now': now },
        },
      });
    }
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        throw new ProductNotFound(sku);
      }
      throw error;
    }
    // Turning hot moves the stock into shards (its own conditioned transaction; repeating it does nothing).
    if (changes.hot) await makeHot(sku);
    // A DELETE that landed between the update and this read: the product is gone for this caller too.
    const updated = await this.get(sku);
    if (!updated) throw new ProductNotFound(sku);
    return updated;
  },

  /**
   * Deletes the product and its stock record unless units are reserved by open orders; then it is
   * deactivated instead. Returns what happened.
   */
  async deleteOrDeactivate(sku: string): Promise<'deleted' | 'deactivated' | 'not-found'> {
    // A hot SKU's shard items go with it, each only if nothing is reserved on it.
    const { Item: stock } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.inventory(sku), ConsistentRead: true, ProjectionExpression: 'shards' }));
    const shardDeletes = allShards(Number(stock?.shards ?? 0)).map((shard) => ({
      Delete: { TableName: config.tableName(), Key: shardKey(sku, shard), ConditionExpression: 'attribute_not_exists(pk) OR reserved = :zero', ExpressionAttributeValues: { ':zero': 0 } },
    }));
    // Its stock at locations other than MAIN goes too, each only if nothing is reserved there.
    const { Items: atLocations = [] } = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':prefix': 'INVENTORY#' },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      }),
    );
    shardDeletes.push(
      ...atLocations.map((item) => ({
        Delete: { TableName: config.tableName(), Key: { pk: String(item.pk), sk: String(item.sk) }, ConditionExpression: 'attribute_not_exists(pk) OR reserved = :zero', ExpressionAttributeValues: { ':zero': 0 } },
      })),
    );
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: config.tableName(), Key: keys.product(sku), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Delete: {
                TableName: config.tableName(),
                Key: keys.inventory(sku),
                ConditionExpression: 'attribute_not_exists(pk) OR reserved = :zero',
                ExpressionAttributeValues: { ':zero': 0 },
              },
            },
            ...shardDeletes,
          ],
        }),
      );
      return 'deleted';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [productReason, ...stockReasons] = error.CancellationReasons ?? [];
      if (productReason?.Code === 'ConditionalCheckFailed') return 'not-found';
      if (stockReasons.some((reason) => reason?.Code === 'ConditionalCheckFailed')) {
        try {
          await ddb().send(
          new UpdateCommand({
            TableName: config.tableName(),
            Key: keys.product(sku),
            UpdateExpression: 'SET active = :false, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':false': false, ':now': new Date().toISOString() },
          }),
          );
        } catch (racing) {
          // Deleted by a concurrent request between the two writes.
          if (racing instanceof ConditionalCheckFailedException) return 'not-found';
          throw racing;
        }
        return 'deactivated';
      }
      throw error;
    }
  },
};
