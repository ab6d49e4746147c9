/**
 * Order numbers on DynamoDB Local: many writers (allocators, as separate Lambda containers would be) each
 * leasing blocks with one atomic ADD, hundreds of numbers requested at once.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { keys } from '../../../functions/adapters/keys';
import { leaseOrderNumbers } from '../../../functions/adapters/order-number-store';
import { orderNumberAllocator } from '../../../functions/orders/order-number';
import { useIsolatedTables } from '../../support/dynamo';

const tables = useIsolatedTables();

it('parallel allocations from many writers are all distinct, from 1001, and each writer counts up', async () => {
  let leases = 0;
  const countingLease = (size: number) => {
    leases++;
    return leaseOrderNumbers(size);
  };
  const writers = Array.from({ length: 8 }, () => orderNumberAllocator({ blockSize: 10, lease: countingLease }));
  // 8 writers × 50 concurrent requests each, all in flight together.
  const perWriter = await Promise.all(writers.map((next) => Promise.all(Array.from({ length: 50 }, () => next()))));
  const all = perWriter.flat();
  expect(all).toHaveLength(400);
  expect(new Set(all).size).toBe(400);
  expect(Math.min(...all)).toBeGreaterThanOrEqual(1001);
  for (const numbers of perWriter) {
    // Within one writer, in the order the calls were made: strictly increasing.
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]);
  }
  // One counter write per block, not per order: 400 numbers in blocks of 10.
  expect(leases).toBe(40);
  const { Item } = await ddb().send(new GetCommand({ TableName: tables.tableName, Key: keys.counter('order-number') }));
  expect(Item?.value).toBe(400);
  // No gaps when every block was used up: exactly 1001…1400.
  expect(Math.max(...all)).toBe(1400);
});

it('a block left unused past its max age is dropped: later numbers are above what others issued meanwhile', async () => {
  let clock = 0;
  const quiet = orderNumberAllocator({ blockSize: 5, maxAgeMs: 1000, now: () => clock });
  const busy = orderNumberAllocator({ blockSize: 5, maxAgeMs: 1000, now: () => clock });
  const first = await quiet();
  const issuedMeanwhile = await Promise.all(Array.from({ length: 12 }, () => busy()));
  clock = 5000;
  const later = await quiet();
  expect(later).toBeGreaterThan(first + 4); // not the rest of its old block
  expect(later).toBeGreaterThan(Math.max(...issuedMeanwhile));
});

it('a failed lease is reported and the next call leases again', async () => {
  let calls = 0;
  const next = orderNumberAllocator({
    blockSize: 3,
    lease: async (size) => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      return leaseOrderNumbers(size);
    },
  });
  await expect(next()).rejects.toThrow('throttled');
  await expect(next()).resolves.toBeGreaterThanOrEqual(1001);
});
