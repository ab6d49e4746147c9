import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import type { StockLevels } from '../domain/inventory';
import { indexes, keys } from './keys';
import { failedConditions, transactWrite } from './transactions';
import { ledgerStore } from './ledger-store';
import { DEFAULT_LOCATION } from '../domain/ledger';

export interface Adjustment {
  id: string;
  sku: string;
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

const toLevels = ({ sku, onHand, reserved, available, lowStockThreshold }: Record<string, any>): StockLevels => ({
  sku,
  onHand,
  reserved,
  available,
  lowStockThreshold,
});

const table = () => config.tableName();
const day = (iso: string) => iso.slice(0, 10);

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

export const inventoryStore = {
  async get(sku: string): Promise<StockLevels | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true }));
    return Item ? toLevels(Item) : undefined;
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
    return { items: (Items ?? []).map(toLevels), nextCursor: encodeCursor(LastEvaluatedKey) };
  },

  /**
   * Admin adjustment: never below what is reserved (available stays ≥ 0). The adjustment record is written
   * in the same transaction, with the levels it produced, so history and stock cannot disagree.
   */
  async adjust(sku: string, delta: number, reason: string, by: string): Promise<{ levels: StockLevels; adjustment: Adjustment }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(sku);
      if (!current) throw new InventoryNotFound(sku);
      const at = new Date().toISOString();
      const id = crypto.randomUUID();
      const next = { onHand: current.onHand + delta, reserved: current.reserved, available: current.available + delta };
      if (next.available < 0) throw new InsufficientStock([sku]);
      const adjustment: Adjustment = { id, sku, at, delta, reason, by, ...next };
      try {
        // Conditioned on the levels just read, so the recorded "after" levels are exactly what was written.
        await transactWrite([
          {
            Update: {
              TableName: table(),
              Key: keys.inventory(sku),
              UpdateExpression: 'SET onHand = :onHand, available = :available, updatedAt = :at',
              ConditionExpression: 'onHand = :prevOnHand AND reserved = :prevReserved',
              ExpressionAttributeValues: {
                ':onHand': next.onHand,
                ':available': next.available,
                ':prevOnHand': current.onHand,
                ':prevReserved': current.reserved,
                ':at': at,
              },
            },
          },
          { Put: { TableName: table(), Item: { ...keys.adjustment(sku, at, id), entity: 'ADJUSTMENT', ...adjustment } } },
          // Its ledger movement, in the same transaction (GET /admin/inventory/{sku}/movements).
          ledgerStore.adjustmentPut({ sku, at, type: 'adjustment', location: DEFAULT_LOCATION, onHandDelta: delta, reservedDelta: 0, by, reason }, id),
        ]);
        return { levels: { ...current, ...next }, adjustment };
      } catch (error) {
        // Someone reserved or adjusted in between: read again and re-decide (bounded).
        if (error instanceof TransactionCanceledException && failedConditions(error).includes(0) && attempt < 20) continue;
        throw error;
      }
    }
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
      items: (Items ?? []).map(({ id, sku, at, delta, reason, by, onHand, reserved, available }) => ({ id, sku, at, delta, reason, by, onHand, reserved, available })),
      nextCursor: encodeCursor(LastEvaluatedKey),
    };
  },

  /**
   * Low-stock crossing detection, race-free: only one caller can flip `lowAlertArmed` from true to false
   * while available ≤ threshold, and that caller stores (and publishes) the alert. The alert item is
   * written in the same transaction as the flip, so an alert is never lost or doubled.
   */
  async fireAlertIfCrossed(sku: string, alertItem: (levels: StockLevels) => Promise<Record<string, unknown>>): Promise<StockLevels | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true }));
    // The common case on every reservation: not low, or already alerted for this crossing. Nothing more to read.
    if (!Item || Item.lowAlertArmed !== true || Item.available > Item.lowStockThreshold) return undefined;
    const levels = toLevels(Item);
    const item = await alertItem(levels);
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: keys.inventory(sku),
                // openAlertId: the alert that rearmIfRecovered resolves when stock recovers.
                UpdateExpression: 'SET lowAlertArmed = :false, openAlertId = :alertId',
                ConditionExpression: 'lowAlertArmed = :true AND available <= lowStockThreshold',
                ExpressionAttributeValues: { ':true': true, ':false': false, ':alertId': item.id },
              },
            },
            { Put: { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return levels;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return undefined;
      throw error;
    }
  },

  /**
   * Re-arms the alert once available is above the threshold again, and marks the crossing's alert
   * resolved (`resolvedAt`) in the same transaction, so an alert is resolved exactly when it re-arms.
   */
  async rearmIfRecovered(sku: string, at = new Date().toISOString()): Promise<boolean> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: true }));
    if (!Item || Item.lowAlertArmed !== false || Item.available <= Item.lowStockThreshold) return false;
    const alertId = typeof Item.openAlertId === 'string' ? Item.openAlertId : undefined;
    const rearm = {
      Update: {
        TableName: table(),
        Key: keys.inventory(sku),
        UpdateExpression: 'SET lowAlertArmed = :true REMOVE openAlertId',
        ConditionExpression: alertId
          ? 'lowAlertArmed = :false AND available > lowStockThreshold AND openAlertId = :alertId'
          : 'lowAlertArmed = :false AND available > lowStockThreshold AND attribute_not_exists(openAlertId)',
        ExpressionAttributeValues: { ':true': true, ':false': false, ...(alertId ? { ':alertId': alertId } : {}) },
      },
    };
    const resolve = alertId && {
      Update: {
        TableName: table(),
        Key: keys.alert(alertId),
        UpdateExpression: 'SET resolvedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(resolvedAt)',
        ExpressionAttributeValues: { ':at': at },
      },
    };
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: resolve ? [rearm, resolve] : [rearm] }));
      return true;
    } catch (error) {
      // Another caller re-armed (or fired again) first: nothing to do.
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  },

  /** Daily units sold per SKU, for days of cover. Analytics, not stock: written after the reservation. */
  async recordSales(lines: { sku: string; quantity: number }[], at: string): Promise<void> {
    await Promise.all(
      lines.map((line) =>
        ddb().send(
          new UpdateCommand({
            TableName: table(),
            Key: { pk: keys.product(line.sku).pk, sk: `SALES#${day(at)}` },
            UpdateExpression: 'ADD units :q SET expiresAt = if_not_exists(expiresAt, :ttl)',
            ExpressionAttributeValues: { ':q': line.quantity, ':ttl': Math.floor(Date.parse(at) / 1000) + 90 * 86400 },
          }),
        ),
      ),
    );
  },

  async unitsSoldSince(sku: string, sinceIso: string): Promise<number> {
    const { Items } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':from': `SALES#${day(sinceIso)}`, ':to': 'SALES#9999' },
      }),
    );
    return (Items ?? []).reduce((total, item) => total + (item.units ?? 0), 0);
  },
};

