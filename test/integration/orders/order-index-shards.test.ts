/**
 * Sharded order index keys (functions/adapters/keys.ts ORDER_INDEX_SHARDS) against DynamoDB Local: every
 * list reads all shards plus the legacy partition and merges by sort key, so paging returns every order
 * exactly once, newest first, before, during and after the migration of legacy items.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { config } from '../../../functions/commons/config';
import { keys, ORDER_INDEX_SHARDS, orderIndexShard } from '../../../functions/adapters/keys';
import { mergedOrderQuery, orderList } from '../../../functions/adapters/order-index';
import { migrateLegacyOrderIndexKeys } from '../../../functions/adapters/order-index-migration';
import { orderStore } from '../../../functions/adapters/order-store';
import { searchOrders } from '../../../functions/adapters/order-search';
import type { Order, OrderStatus } from '../../../functions/domain/order';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();

const STATUSES: OrderStatus[] = ['PAID', 'SHIPPED', 'PENDING'];

function anOrder(i: number): Order {
  // Several orders share a timestamp: the id in the sort key still orders them.
  const at = new Date(Date.UTC(2026, 10, 1 + (i % 20), 10, 0, Math.floor(i / 3) % 60)).toISOString();
  return {
    id: randomUUID(),
    number: 2000 + i,
    userId: `u-${i}`,
    status: STATUSES[i % STATUSES.length]!,
    customer: { name: i % 4 === 0 ? `Ada ${i}` : `Bob ${i}`, email: `c${i}@example.com` },
    shippingAddress: { line1: '1 Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [{ sku: 'W-1', name: 'Widget', quantity: 1, unitPrice: { amount: 100, currency: 'USD' }, lineTotal: { amount: 100, currency: 'USD' } }],
    total: { amount: 100, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: 'RESERVED',
    timeline: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** An order as it was written before the split: gsi1pk ORDERS, gsi3pk ORDER_STATUS#<status>. */
async function putLegacy(order: Order): Promise<void> {
  const sk = `${order.createdAt}#${order.id}`;
  await ddb().send(
    new PutCommand({
      TableName: config.tableName(),
      Item: {
        ...keys.order(order.id), entity: 'ORDER', gsi1pk: 'ORDERS', gsi1sk: sk, gsi2pk: `USER#${order.userId}`, gsi2sk: sk,
        gsi3pk: `ORDER_STATUS#${order.status}`, gsi3sk: sk, gsi4pk: `EMAIL#${order.customer.email}`, gsi4sk: sk,
        searchName: order.customer.name.toLowerCase(), ...order,
      },
    }),
  );
}

const newestFirst = (a: Order, b: Order) => (`${b.createdAt}#${b.id}` < `${a.createdAt}#${a.id}` ? -1 : 1);

async function pageAll(read: (cursor?: string) => Promise<{ items: Order[]; nextCursor: string | null }>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await read(cursor);
    ids.push(...page.items.map((o) => o.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('did not reach the end');
}

let orders: Order[];
let legacy: Order[];
beforeAll(async () => {
  orders = Array.from({ length: 90 }, (_, i) => anOrder(i));
  legacy = orders.filter((_, i) => i % 5 === 0);
  const fresh = orders.filter((o) => !legacy.includes(o));
  await Promise.all(fresh.map((o) => orderStore.create(o)));
  await Promise.all(legacy.map(putLegacy));
});

const expected = (filter: (o: Order) => boolean = () => true) => orders.filter(filter).sort(newestFirst).map((o) => o.id);

describe('sharded order index keys', () => {
  it('spread new orders over the shards by a stable hash of the id', async () => {
    expect(orderIndexShard('13657145-7419-4580-84ec-298c8a980fd5')).toBe(orderIndexShard('13657145-7419-4580-84ec-298c8a980fd5'));
    const counts = new Array(ORDER_INDEX_SHARDS).fill(0);
    for (let i = 0; i < 1000 * ORDER_INDEX_SHARDS; i++) counts[orderIndexShard(randomUUID())]++;
    // 1,000 expected per shard; a hot shard would be far off.
    expect(Math.max(...counts)).toBeLessThan(1200);
    expect(Math.min(...counts)).toBeGreaterThan(800);

    const { Items } = await ddb().send(new QueryCommand({ TableName: config.tableName(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'ORDERS' } }));
    expect((Items ?? []).map((i) => i.id).sort()).toEqual(legacy.map((o) => o.id).sort());
  });

  it.each([9, 100])('list every order exactly once, newest first, in pages of %i (legacy and sharded mixed)', async (limit) => {
    const ids = await pageAll((cursor) => orderStore.search({ limit, cursor }));
    expect(ids).toEqual(expected());
  });

  it('list by status and date range, and admin search by name prefix, exactly once in order', async () => {
    const from = '2026-11-05T00:00:00.000Z';
    const to = '2026-11-15';
    const byStatus = await pageAll((cursor) => orderStore.search({ status: 'PAID', from, to, limit: 4, cursor }));
    expect(byStatus).toEqual(expected((o) => o.status === 'PAID' && o.createdAt >= from && o.createdAt <= `${to}~`));

    const byName = await pageAll((cursor) => searchOrders({ q: { kind: 'prefix', text: 'ada' }, limit: 3, cursor }));
    expect(byName).toEqual(expected((o) => o.customer.name.startsWith('Ada')));
  });

  it('a filtered read out of budget resumes where it stopped, losing and repeating nothing', async () => {
    const list = orderList({});
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let shortPages = 0;
    do {
      const page = await mergedOrderQuery({
        list, limit: 5, cursor, readBudget: 40,
        filter: { expression: 'begins_with(searchName, :q)', values: { ':q': 'ada' } },
      });
      ids.push(...page.items.map((i) => String(i.id)));
      if (page.items.length < 5 && page.nextCursor) shortPages++;
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 500);
    expect(ids).toEqual(expected((o) => o.customer.name.startsWith('Ada')));
    // The budget made pages end early: fewer matches than the limit, yet a cursor to go on.
    expect(shortPages).toBeGreaterThan(0);
  });

  it('a transition moves a legacy order into its shards; the migration moves the rest, once', async () => {
    const moving = legacy.find((o) => o.status === 'PAID')!;
    const moved = await orderStore.transition(moving.id, 'SHIPPED', { actor: 'test', reason: 'shipped' }, { from: ['PAID'] });
    moving.status = moved.status;
    const raw = await ddb().send(new QueryCommand({ TableName: config.tableName(), IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': `ORDER_STATUS#SHIPPED#${orderIndexShard(moving.id)}` } }));
    expect((raw.Items ?? []).map((i) => i.id)).toContain(moving.id);

    const first = await migrateLegacyOrderIndexKeys({ pageSize: 7 });
    expect(first.moved).toBe(legacy.length - 1);
    expect(await migrateLegacyOrderIndexKeys()).toEqual({ moved: 0, skipped: 0 });

    const { Items } = await ddb().send(new QueryCommand({ TableName: config.tableName(), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'ORDERS' } }));
    expect(Items ?? []).toHaveLength(0);
    expect(await pageAll((cursor) => orderStore.search({ limit: 9, cursor }))).toEqual(expected());
    expect(await pageAll((cursor) => orderStore.search({ status: 'SHIPPED', limit: 2, cursor }))).toEqual(expected((o) => o.status === 'SHIPPED'));
  });

  it('refuses a cursor of another list shape with 400, reading nothing', async () => {
    const { encodeCursor } = await import('../../../functions/commons/pagination');
    await expect(orderStore.search({ limit: 5, cursor: encodeCursor({ pk: 'USER#x', sk: 'y', gsi2pk: 'USER#x', gsi2sk: 'z' })! })).rejects.toMatchObject({ status: 400 });
  });
});
