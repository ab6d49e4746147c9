import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import type { StockLevels } from '../domain/inventory';
import { knownShardCount, levelsOf } from './inventory-store';
import { keys } from './keys';

/**
 * The low-stock alert flag of each SKU's INVENTORY item (`lowAlertArmed`, `openAlertId`): fired once per
 * crossing, re-armed on recovery. A store of its own (not inventory-store.ts's object): the paths that flip
 * it (a reservation, a release, a restock) need none of the admin's stock reads and edits.
 */
const table = () => config.tableName();

export const stockAlertStore = {
  /**
   * Low-stock crossing detection, race-free: only one caller can flip `lowAlertArmed` from true to false
   * while available ≤ threshold, and that caller stores (and publishes) the alert. The alert item is
   * written in the same transaction as the flip, so an alert is never lost or doubled.
   */
  async fireAlertIfCrossed(
    sku: string,
    alertItem: (levels: StockLevels, shards: number) => Promise<Record<string, unknown>>,
    /** Hot SKUs: a known lower bound of available (from the reservation's shard reads). */
    atLeast?: number,
  ): Promise<StockLevels | undefined> {
    // Hot SKUs: an eventually consistent read of the INVENTORY item (half the read units; it is read once per
    // reservation of the SKU), then the shard sums; the flip below is conditioned on the flag alone (a sum
    // cannot be a condition), which still lets only one caller store the alert of a crossing.
    const hotHint = (await knownShardCount(sku)) > 0;
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.inventory(sku), ConsistentRead: !hotHint }));
    if (!Item || Item.lowAlertArmed !== true) return undefined;
    if (Item.shards && atLeast !== undefined && atLeast > Item.lowStockThreshold) return undefined;
    // MAIN alone above the threshold: the total (MAIN plus other locations) is too; nothing more to read.
    if (!Item.shards && Item.available > Item.lowStockThreshold) return undefined;
    const levels = await levelsOf(Item, false);
    // The common case on every reservation: not low, or already alerted for this crossing. Nothing more to read.
    if (levels.available > levels.lowStockThreshold) return undefined;
    const item = await alertItem(levels, Number(Item.shards ?? 0));
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: keys.inventory(sku),
                // openAlertId: the alert that rearmIfRecovered resolves when stock recovers. A hot SKU's
                // available is a sum over its shards, which no condition can compute: the flag alone decides.
                // Otherwise MAIN's available ≤ threshold is a necessary condition (the total is at least it).
                UpdateExpression: 'SET lowAlertArmed = :false, openAlertId = :alertId',
                ConditionExpression: Item.shards ? 'lowAlertArmed = :true' : 'lowAlertArmed = :true AND available <= lowStockThreshold',
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
    if (!Item || Item.lowAlertArmed !== false) return false;
    // MAIN alone above the threshold decides it (and can be the condition); otherwise the total over
    // shards and locations is read, and the flag alone is the condition (no condition can sum items).
    const summed = Boolean(Item.shards) || Item.available <= Item.lowStockThreshold;
    if (summed && (await levelsOf(Item)).available <= Item.lowStockThreshold) return false;
    const alertId = typeof Item.openAlertId === 'string' ? Item.openAlertId : undefined;
    const recovered = summed ? 'lowAlertArmed = :false' : 'lowAlertArmed = :false AND available > lowStockThreshold';
    const rearm = {
      Update: {
        TableName: table(),
        Key: keys.inventory(sku),
        UpdateExpression: 'SET lowAlertArmed = :true REMOVE openAlertId',
        ConditionExpression: alertId ? `${recovered} AND openAlertId = :alertId` : `${recovered} AND attribute_not_exists(openAlertId)`,
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
};
