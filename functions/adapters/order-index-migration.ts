import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { indexes, keys, legacyOrderIndexKeys, orderIndexKeys } from './keys';

/**
 * Moves orders written before the index keys were sharded out of the legacy partitions (`ORDERS`,
 * `ORDER_STATUS#<status>`) into their shards. Idempotent: each update is conditional on the item still
 * carrying the legacy collection key and the status it was read with, so a second run, a concurrent run or a
 * transition that got there first (transitions write the sharded keys too) changes nothing. Only index keys
 * change: no version bump, and the outbox derives no effect from it. Readers include the legacy partitions
 * until this has run (functions/adapters/keys.ts orderIndexPartitions), so lists are right before, during
 * and after. Run by `npm run migrate:order-index`, locally and against AWS alike.
 */
export async function migrateLegacyOrderIndexKeys(options: { pageSize?: number } = {}): Promise<{ moved: number; skipped: number }> {
  let moved = 0;
  let skipped = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: indexes.collection,
        KeyConditionExpression: 'gsi1pk = :legacy',
        ExpressionAttributeValues: { ':legacy': legacyOrderIndexKeys.collection },
        ProjectionExpression: 'pk, sk, id, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        Limit: options.pageSize ?? 200,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await ddb().send(
          new UpdateCommand({
            TableName: config.tableName(),
            Key: keys.order(String(item.id)),
            UpdateExpression: 'SET gsi1pk = :collection, gsi3pk = :status',
            ConditionExpression: 'gsi1pk = :legacy AND #status = :current',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':collection': orderIndexKeys.collection(String(item.id)),
              ':status': orderIndexKeys.status(String(item.status), String(item.id)),
              ':legacy': legacyOrderIndexKeys.collection,
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
