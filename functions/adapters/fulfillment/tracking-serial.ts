import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../commons/clients';
import { config } from '../../commons/config';
import { MAX_SERIAL } from '../../domain/tracking';
import { keys } from '../keys';

/**
 * S10 serials in leased blocks, as order numbers are (docs/decisions.md "Order numbers: leased blocks"):
 * each writer (Lambda container, local process) takes TRACKING_SERIAL_BLOCK (default 50) serials with one
 * atomic ADD on `COUNTER#tracking` and hands them out from memory, so the counter item takes one write per
 * block instead of one per label and is no hot item at any label rate. Blocks never overlap (ADD is atomic);
 * serials unused when a container ends are gaps, which S10 numbers allow (they need not increase). After
 * 10^8 serials the counter wraps, as postal operators reuse S10 ranges; the tracking item's
 * attribute_not_exists condition then refuses a number still in use.
 */
export async function leaseTrackingSerials(size: number): Promise<{ first: number; last: number }> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`Tracking serial block size must be a positive integer, got ${size}`);
  const { Attributes } = await ddb().send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: keys.counter('tracking'),
      UpdateExpression: 'ADD #value :size SET #entity = :entity',
      ExpressionAttributeNames: { '#value': 'value', '#entity': 'entity' },
      ExpressionAttributeValues: { ':size': size, ':entity': 'COUNTER' },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const value = Number(Attributes?.value);
  if (!Number.isSafeInteger(value) || value < size) throw new Error('Tracking counter returned no value');
  return { first: value - size + 1, last: value };
}

const blockSize = () => {
  const value = Number(process.env.TRACKING_SERIAL_BLOCK);
  return Number.isSafeInteger(value) && value > 0 ? value : 50;
};

/** The block in hand, per table (a test or local stack that switches tables starts a fresh block). */
let block: { table: string; next: number; last: number } | undefined;
let leasing: Promise<void> | undefined;

export async function nextTrackingSerial(): Promise<number> {
  for (;;) {
    const table = config.tableName();
    if (block && block.table === table && block.next <= block.last) return block.next++ % (MAX_SERIAL + 1);
    // One lease at a time per writer: concurrent callers wait for it, then share the block.
    leasing ??= leaseTrackingSerials(blockSize())
      .then(({ first, last }) => {
        block = { table, next: first, last };
      })
      .finally(() => {
        leasing = undefined;
      });
    await leasing;
  }
}
