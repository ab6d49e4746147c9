import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from '../adapters/keys';
import { ledgerStore } from '../adapters/ledger-store';
import { failedConditions, transactWrite } from '../adapters/transactions';
import { DEFAULT_LOCATION } from '../domain/ledger';

export class RestockUnsupported extends Error {
  constructor(message: string) {
    super(message);
  }
}

/**
 * Returned units back on hand at a location, with their ledger movement (type `return`), in one
 * transaction; `key` (e.g. the return id and SKU) makes it happen once: a marker item conditioned on being
 * new is part of the transaction. Resolves false when that key was restocked before.
 *
 * Interim (issue #16, until stock per location lands): MAIN only, on the SKU's single INVENTORY item;
 * a hot (sharded) SKU or another location is refused with RestockUnsupported.
 */
export async function restockAt(sku: string, location: string, quantity: number, reason: string, options: { key: string; by: string; orderId?: string }): Promise<boolean> {
  if (location !== DEFAULT_LOCATION) throw new RestockUnsupported(`Restocking at ${location} needs stock per location`);
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError('quantity must be a positive integer');
  const table = config.tableName();
  const { Item } = await ddb().send(new GetCommand({ TableName: table, Key: keys.inventory(sku), ConsistentRead: true, ProjectionExpression: 'pk, shards' }));
  if (!Item) throw new RestockUnsupported(`${sku} has no inventory record`);
  if (Item.shards) throw new RestockUnsupported(`${sku} is a hot SKU (sharded stock): restock it by an adjustment`);
  const at = new Date().toISOString();
  const marker = { pk: keys.inventory(sku).pk, sk: `MOVEMENTKEY#return#${options.key}` };
  try {
    await transactWrite(
      [
        { Put: { TableName: table, Item: { ...marker, entity: 'MOVEMENT_KEY', at }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: table,
            Key: keys.inventory(sku),
            UpdateExpression: 'SET onHand = onHand + :q, available = available + :q, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(shards)',
            ExpressionAttributeValues: { ':q': quantity, ':at': at },
          },
        },
        ledgerStore.adjustmentPut(
          { sku, at, type: 'return', location, onHandDelta: quantity, reservedDelta: 0, by: options.by, reason, ...(options.orderId ? { orderId: options.orderId } : {}) },
          options.key,
        ),
      ],
      { operation: 'restock' },
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) return false;
    throw error;
  }
}
