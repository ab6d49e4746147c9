import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { indexes, keys, legacyOrderIndexKeys, legacyPaymentIndexKeys, orderIndexKeys, paymentIndexKeys } from './keys';

/** What to move: the legacy gsi1 partition, and for each item in it its key and its sharded index keys. */
interface LegacyIndex {
  legacyCollection: string;
  /** Attribute holding the order id, and the status the gsi3 key is made of. */
  idAttribute: string;
  key: (id: string) => { pk: string; sk: string };
  collection: (id: string) => string;
  status: (status: string, id: string) => string;
}

/**
 * Moves items written before the index keys were sharded out of the legacy partitions (`ORDERS` /
 * `ORDER_STATUS#<status>`, `PAYMENTS` / `PAYMENT_STATUS#<status>`) into their shards. Idempotent: each update
 * is conditional on the item still carrying the legacy collection key and the status it was read with, so a
 * second run, a concurrent run or a write that got there first (transitions and payment saves write the
 * sharded keys too) changes nothing. Only index keys change: no version bump, and the outbox derives no
 * effect from it. Readers include the legacy partitions until this has run (functions/adapters/keys.ts
 * orderIndexPartitions, paymentIndexPartitions), so lists are right before, during and after. Run by
 * `npm run migrate:order-index` and `npm run migrate:payment-index`, locally and against AWS alike.
 */
async function migrateLegacyIndexKeys(spec: LegacyIndex, options: { pageSize?: number }): Promise<{ moved: number; skipped: number }> {
  let moved = 0;
  let skipped = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: indexes.collection,
        KeyConditionExpression: 'gsi1pk = :legacy',
        ExpressionAttributeValues: { ':legacy': spec.legacyCollection },
        ProjectionExpression: 'pk, sk, #id, #status',
        ExpressionAttributeNames: { '#id': spec.idAttribute, '#status': 'status' },
        Limit: options.pageSize ?? 200,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = String(item[spec.idAttribute]);
      try {
        await ddb().send(
          new UpdateCommand({
            TableName: config.tableName(),
            Key: spec.key(id),
            UpdateExpression: 'SET gsi1pk = :collection, gsi3pk = :status',
            ConditionExpression: 'gsi1pk = :legacy AND #status = :current',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':collection': spec.collection(id),
              ':status': spec.status(String(item.status), id),
              ':legacy': spec.legacyCollection,
              ':current': item.status,
            },
          }),
        );
        moved++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        skipped++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { moved, skipped };
}

/** Orders written before the split (`ORDERS`, `ORDER_STATUS#<status>`) into `ORDERS#<n>`, `ORDER_STATUS#<status>#<n>`. */
export function migrateLegacyOrderIndexKeys(options: { pageSize?: number } = {}): Promise<{ moved: number; skipped: number }> {
  return migrateLegacyIndexKeys(
    { legacyCollection: legacyOrderIndexKeys.collection, idAttribute: 'id', key: keys.order, collection: orderIndexKeys.collection, status: orderIndexKeys.status },
    options,
  );
}

/** Payment records written before the split (`PAYMENTS`, `PAYMENT_STATUS#<status>`) into their shards. */
export function migrateLegacyPaymentIndexKeys(options: { pageSize?: number } = {}): Promise<{ moved: number; skipped: number }> {
  return migrateLegacyIndexKeys(
    { legacyCollection: legacyPaymentIndexKeys.collection, idAttribute: 'orderId', key: keys.payment, collection: paymentIndexKeys.collection, status: paymentIndexKeys.status },
    options,
  );
}
