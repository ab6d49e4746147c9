import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import type { Movement } from '../domain/ledger';
import { keys } from './keys';
import { MAIN_LOCATION } from '../domain/allocation';

/**
 * Movement items live in the SKU's partition, sorted by time: `MOVEMENT#<at>#<type>#<key>`. An order
 * movement is written with a marker `MOVEMENTKEY#<type>#<orderId>` in one transaction, conditional on the
 * marker being new: a replayed stream record (or a repair that projects the same change again, even with
 * another timestamp) writes nothing the second time.
 */
const movementKey = (m: Movement, uniqueKey: string) => ({ pk: keys.product(m.sku).pk, sk: `MOVEMENT#${m.at}#${m.type}#${uniqueKey}` });
/**
 * The order's part the movement is about: orders before locations (and S1 at MAIN) keep the key they always
 * had, `<orderId>`; any other shipment adds `#<shipmentId>` (one SKU can be in two shipments of an order).
 */
const orderPart = (m: Movement) => (m.shipmentId && !(m.shipmentId === 'S1' && m.location === MAIN_LOCATION) ? `${m.orderId}#${m.shipmentId}` : `${m.orderId}`);
const markerKey = (m: Movement, key = orderPart(m)) => ({ pk: keys.product(m.sku).pk, sk: `MOVEMENTKEY#${m.type}#${key}` });

const itemOf = (m: Movement, uniqueKey: string) => ({
  ...movementKey(m, uniqueKey),
  entity: 'MOVEMENT',
  sku: m.sku,
  at: m.at,
  type: m.type,
  location: m.location,
  onHandDelta: m.onHandDelta,
  reservedDelta: m.reservedDelta,
  ...(m.orderId ? { orderId: m.orderId } : {}),
  by: m.by,
  ...(m.reason ? { reason: m.reason } : {}),
});

export const ledgerStore = {
  /** The Put of a movement that has its own unique id (an adjustment): for the adjustment's own transaction. */
  adjustmentPut(m: Movement, adjustmentId: string) {
    return { Put: { TableName: config.tableName(), Item: itemOf(m, adjustmentId) } };
  },

  /**
   * A movement recorded at most once per `onceKey` (a return's restock): the marker's conditional put and the
   * movement, for the caller's transaction (the marker first).
   */
  oncePuts(m: Movement, onceKey: string) {
    return [
      { Put: { TableName: config.tableName(), Item: { ...markerKey(m, onceKey), entity: 'MOVEMENT_KEY', at: m.at }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: config.tableName(), Item: itemOf(m, onceKey) } },
    ];
  },

  /** Records an order movement once; false when it was already recorded. */
  async recordOrderMovement(m: Movement): Promise<boolean> {
    if (!m.orderId) throw new Error('An order movement needs its orderId');
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: config.tableName(),
                Item: { ...markerKey(m), entity: 'MOVEMENT_KEY', at: m.at },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: config.tableName(), Item: itemOf(m, orderPart(m)) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  },

  /** A SKU's movements, newest first. */
  async list(sku: string, limit: number, cursor?: string): Promise<Page<Omit<Movement, 'sku'>>> {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk, ':prefix': 'MOVEMENT#' },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (Items ?? []).map(({ at, type, location, onHandDelta, reservedDelta, orderId, by, reason }) => ({
        at, type, location, onHandDelta, reservedDelta, ...(orderId ? { orderId } : {}), by, ...(reason ? { reason } : {}),
      })),
      nextCursor: encodeCursor(LastEvaluatedKey),
    };
  },
};
