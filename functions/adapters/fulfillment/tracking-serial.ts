import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../commons/clients';
import { config } from '../../commons/config';
import { MAX_SERIAL } from '../../domain/tracking';
import { keys } from '../keys';

/**
 * Next S10 serial from one atomic counter item (UpdateItem ADD): concurrent callers always get distinct
 * values without locks or retries. After 10^8 numbers the serial wraps, as postal operators reuse
 * S10 ranges; the tracking item's attribute_not_exists condition then refuses a number still in use.
 */
export async function nextTrackingSerial(): Promise<number> {
  const { Attributes } = await ddb().send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: keys.counter('tracking'),
      UpdateExpression: 'ADD #value :one SET #entity = :entity',
      ExpressionAttributeNames: { '#value': 'value', '#entity': 'entity' },
      ExpressionAttributeValues: { ':one': 1, ':entity': 'COUNTER' },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const value = Number(Attributes?.value);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error('Tracking counter returned no value');
  return value % (MAX_SERIAL + 1);
}
