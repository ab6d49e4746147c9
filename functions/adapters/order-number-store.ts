import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from './keys';

/** Order numbers start after this: the first order is #1001. */
export const ORDER_NUMBER_BASE = 1000;

/**
 * Leases the next block of `size` order numbers with one atomic ADD on the counter item and returns the
 * block's first and last number. Concurrent leases never overlap (ADD is atomic); the counter is written
 * once per block, not once per order (docs/decisions.md "Order numbers").
 */
export async function leaseOrderNumbers(size: number): Promise<{ first: number; last: number }> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`Order number block size must be a positive integer, got ${size}`);
  const { Attributes } = await ddb().send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: keys.counter('order-number'),
      UpdateExpression: 'ADD #value :size SET #entity = :entity',
      ExpressionAttributeNames: { '#value': 'value', '#entity': 'entity' },
      ExpressionAttributeValues: { ':size': size, ':entity': 'COUNTER' },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const value = Number(Attributes?.value);
  if (!Number.isSafeInteger(value) || value < size) throw new Error('Order number counter returned no value');
  return { first: ORDER_NUMBER_BASE + value - size + 1, last: ORDER_NUMBER_BASE + value };
}
