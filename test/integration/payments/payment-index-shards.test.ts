/**
 * Sharded payment index keys (functions/adapters/keys.ts PAYMENT_INDEX_SHARDS) against DynamoDB Local: the
 * admin list and the by-status list (the reconciler's sweeps) read every shard plus the legacy partition and
 * merge by sort key, so paging returns every payment exactly once, newest first, before and after the
 * migration of legacy records; a cursor handed out before the split resumes where it was.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { config } from '../../../functions/commons/config';
import { encodeCursor } from '../../../functions/commons/pagination';
import { keys, PAYMENT_INDEX_SHARDS, paymentIndexShard } from '../../../functions/adapters/keys';
import { migrateLegacyPaymentIndexKeys } from '../../../functions/adapters/order-index-migration';
import { paymentStore } from '../../../functions/adapters/payment-store';
import type { PaymentRecord, PaymentStatus } from '../../../functions/payments/payment';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();

const STATUSES: PaymentStatus[] = ['authorized', 'captured', 'action_required'];

function aPayment(i: number): PaymentRecord {
  // Several payments share a timestamp: the order id in the sort key still orders them.
  const at = new Date(Date.UTC(2026, 10, 1 + (i % 20), 10, 0, Math.floor(i / 3) % 60)).toISOString();
  const status = STATUSES[i % STATUSES.length]!;
  return {
    orderId: randomUUID(), provider: 'sandbox', intentId: `pi_sbx_${i}`, amount: { amount: 1000 + i, currency: 'USD' },
    amountCaptured: status === 'captured' ? 1000 + i : 0, amountRefunded: 0, currency: 'USD', status,
    history: [{ at, status, source: 'test' }], refunds: [], refundSequence: 0, createdAt: at, updatedAt: at, version: 1,
  };
}

/** A payment record as it was written before the split: gsi1pk PAYMENTS, gsi3pk PAYMENT_STATUS#<status>. */
async function putLegacy(record: PaymentRecord): Promise<void> {
  const sk = `${record.createdAt}#${record.orderId}`;
  await ddb().send(
    new PutCommand({
      TableName: config.tableName(),
      Item: { ...keys.payment(record.orderId), entity: 'PAYMENT', gsi1pk: 'PAYMENTS', gsi1sk: sk, gsi3pk: `PAYMENT_STATUS#${record.status}`, gsi3sk: sk, ...record },
    }),
  );
}

const rawPartition = async (index: 'gsi1' | 'gsi3', pk: string) =>
  ((await ddb().send(new QueryCommand({ TableName: config.tableName(), IndexName: index, KeyConditionExpression: `${index}pk = :pk`, ExpressionAttributeValues: { ':pk': pk } }))).Items ?? []).map((i) => String(i.orderId));

const sortKey = (p: PaymentRecord) => `${p.createdAt}#${p.orderId}`;
const newestFirst = (a: PaymentRecord, b: PaymentRecord) => (sortKey(b) < sortKey(a) ? -1 : 1);

async function pageAll(query: { status?: PaymentStatus; limit: number }, cursor?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let pages = 0; pages < 500; pages++) {
    const page = await paymentStore.list({ ...query, cursor });
    ids.push(...page.items.map((p) => p.orderId));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('did not reach the end');
}

let payments: PaymentRecord[];
let legacy: PaymentRecord[];
beforeAll(async () => {
  payments = Array.from({ length: 90 }, (_, i) => aPayment(i));
  legacy = payments.filter((_, i) => i % 5 === 0);
  const fresh = payments.filter((p) => !legacy.includes(p));
  // Written by the store as every payment step writes them (no order item here: syncOrder false).
  await Promise.all(fresh.map((p) => paymentStore.save(p, undefined, { syncOrder: false })));
  await Promise.all(legacy.map(putLegacy));
});

const expected = (filter: (p: PaymentRecord) => boolean = () => true) => payments.filter(filter).sort(newestFirst).map((p) => p.orderId);

describe('sharded payment index keys', () => {
  it('spread payments over the shards by a stable hash of the order id; only legacy records stay in PAYMENTS', async () => {
    expect(paymentIndexShard('13657145-7419-4580-84ec-298c8a980fd5')).toBe(paymentIndexShard('13657145-7419-4580-84ec-298c8a980fd5'));
    const counts = new Array(PAYMENT_INDEX_SHARDS).fill(0);
    for (let i = 0; i < 1000 * PAYMENT_INDEX_SHARDS; i++) counts[paymentIndexShard(randomUUID())]++;
    // 1,000 expected per shard; a hot shard would be far off.
    expect(Math.max(...counts)).toBeLessThan(1200);
    expect(Math.min(...counts)).toBeGreaterThan(800);

    expect((await rawPartition('gsi1', 'PAYMENTS')).sort()).toEqual(legacy.map((p) => p.orderId).sort());
    expect((await rawPartition('gsi3', 'PAYMENT_STATUS#authorized')).sort()).toEqual(legacy.filter((p) => p.status === 'authorized').map((p) => p.orderId).sort());
    const one = payments.find((p) => !legacy.includes(p))!;
    expect(await rawPartition('gsi1', `PAYMENTS#${paymentIndexShard(one.orderId)}`)).toContain(one.orderId);
    expect(await rawPartition('gsi3', `PAYMENT_STATUS#${one.status}#${paymentIndexShard(one.orderId)}`)).toContain(one.orderId);
  });

  it.each([7, 100])('list every payment exactly once, newest first, in pages of %i (legacy and sharded mixed)', async (limit) => {
    expect(await pageAll({ limit })).toEqual(expected());
  });

  it.each(STATUSES)('list the %s payments exactly once, newest first (the reconciler sweeps)', async (status) => {
    expect(await pageAll({ status, limit: 4 })).toEqual(expected((p) => p.status === status));
  });

  it('a cursor handed out before the split (a LastEvaluatedKey of PAYMENTS) resumes after the same payment', async () => {
    const all = expected();
    const at = payments.find((p) => p.orderId === all[10])!;
    const oldCursor = encodeCursor({ ...keys.payment(at.orderId), gsi1pk: 'PAYMENTS', gsi1sk: sortKey(at) })!;
    expect(await pageAll({ limit: 9 }, oldCursor)).toEqual(all.slice(11));
  });

  it('a save moves a legacy payment into its shards; the migration moves the rest, once', async () => {
    const moving = legacy.find((p) => p.status === 'authorized')!;
    const captured = await paymentStore.save({ ...moving, status: 'captured', amountCaptured: moving.amount.amount }, moving.version, { syncOrder: false });
    Object.assign(moving, captured);
    expect(await rawPartition('gsi3', `PAYMENT_STATUS#captured#${paymentIndexShard(moving.orderId)}`)).toContain(moving.orderId);
    expect(await rawPartition('gsi1', 'PAYMENTS')).not.toContain(moving.orderId);

    const first = await migrateLegacyPaymentIndexKeys({ pageSize: 7 });
    expect(first).toEqual({ moved: legacy.length - 1, skipped: 0 });
    expect(await migrateLegacyPaymentIndexKeys()).toEqual({ moved: 0, skipped: 0 });

    expect(await rawPartition('gsi1', 'PAYMENTS')).toEqual([]);
    for (const status of STATUSES) expect(await rawPartition('gsi3', `PAYMENT_STATUS#${status}`)).toEqual([]);
    // Only index keys changed: the records read back as they were.
    for (const p of legacy) expect(await paymentStore.get(p.orderId)).toEqual(p);
    expect(await pageAll({ limit: 9 })).toEqual(expected());
    for (const status of STATUSES) expect(await pageAll({ status, limit: 5 })).toEqual(expected((p) => p.status === status));
  });

  it('refuses a cursor of another list shape with 400', async () => {
    await expect(paymentStore.list({ limit: 5, cursor: encodeCursor({ pk: 'USER#x', sk: 'y', gsi2pk: 'USER#x', gsi2sk: 'z' })! })).rejects.toMatchObject({ status: 400 });
  });
});
