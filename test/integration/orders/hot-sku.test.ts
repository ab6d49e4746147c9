/**
 * Hot SKUs (stock spread over shard items) keep the inventory rules of SPEC.md: never oversold, all lines or
 * none, released exactly once, one low-stock alert per crossing, the same levels in the API. Against
 * DynamoDB Local, and the sell-out race again through the per-item write-limit model (bench/throttle-proxy.ts),
 * where throttled reservations are retried as the saga's Retry would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useIsolatedTables } from '../../support/dynamo';
import { startThrottleProxy, type ThrottleProxy } from '../../../bench/throttle-proxy';
import { allShards, DEFAULT_HOT_SHARDS, makeHot, readShards } from '../../../functions/adapters/hot-stock';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { orderStore } from '../../../functions/adapters/order-store';
import { productStore } from '../../../functions/adapters/product-store';
import { isConsistent } from '../../../functions/domain/inventory';
import { listAlerts } from '../../../functions/inventory/low-stock';
import { OutOfStock } from '../../../functions/orders/errors';
import { cancelOrder, releaseStock, reserveStock, shipStock } from '../../../functions/orders/service';
import { createPendingOrder, createProduct } from './fixtures';
import { handler as createProductHandler } from '../../../functions/api/admin-create-product';
import { handler as updateProductHandler } from '../../../functions/api/admin-update-product';
import { handler as getProductHandler } from '../../../functions/api/get-product';
import { admin, call } from '../fulfillment/support';

const tables = useIsolatedTables();
process.env.LOCAL_DATA_DIR = mkdtempSync(join(tmpdir(), 'hot-sku-'));

async function createHotProduct(sku: string, stock: number, lowStockThreshold = 0) {
  const now = new Date().toISOString();
  await productStore.create({ sku, name: `Hot ${sku}`, price: { amount: 500, currency: 'USD' }, lowStockThreshold, active: true, hot: true, createdAt: now, updatedAt: now }, stock, 'test');
}

/** Every shard consistent and ≥ 0, and the SKU's levels their sums. */
async function expectShardsConsistent(sku: string) {
  const shards = await readShards(sku, allShards(DEFAULT_HOT_SHARDS), true);
  expect(shards).toHaveLength(DEFAULT_HOT_SHARDS);
  for (const shard of shards) expect(isConsistent({ sku, ...shard, lowStockThreshold: 0 })).toBe(true);
  const levels = (await inventoryStore.get(sku))!;
  expect(levels.onHand).toBe(shards.reduce((n, s) => n + s.onHand, 0));
  expect(levels.reserved).toBe(shards.reduce((n, s) => n + s.reserved, 0));
  expect(isConsistent(levels)).toBe(true);
  return levels;
}

describe('hot SKU against DynamoDB Local', () => {
  it('is created with its stock spread over the shards, and reads as one SKU', async () => {
    await createHotProduct('HOT-NEW', 100);
    const shards = await readShards('HOT-NEW', allShards(DEFAULT_HOT_SHARDS), true);
    expect(Math.max(...shards.map((s) => s.available)) - Math.min(...shards.map((s) => s.available))).toBeLessThanOrEqual(1);
    expect(await inventoryStore.get('HOT-NEW')).toEqual({ sku: 'HOT-NEW', onHand: 100, reserved: 0, available: 100, lowStockThreshold: 0, locations: [{ location: 'MAIN', onHand: 100, reserved: 0, available: 100 }] });
    expect((await inventoryStore.list(100)).items.find((l) => l.sku === 'HOT-NEW')).toMatchObject({ available: 100 });
  });

  it('100 concurrent orders for 40 units reserve exactly 40, never oversold, lines larger than a shard included', async () => {
    await createHotProduct('HOT-RACE', 40);
    const orders = await Promise.all(Array.from({ length: 100 }, (_, i) => createPendingOrder([{ sku: 'HOT-RACE', quantity: i % 10 === 0 ? 7 : 1 }])));

    const results = await Promise.allSettled(orders.map((order) => reserveStock(order.id)));

    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.every((r) => (r as PromiseRejectedResult).reason instanceof OutOfStock)).toBe(true);
    const stored = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    const reservedUnits = stored.filter((o) => o!.stock === 'RESERVED').reduce((n, o) => n + o!.items[0]!.quantity, 0);
    const levels = await expectShardsConsistent('HOT-RACE');
    expect(levels.reserved).toBe(reservedUnits);
    expect(levels.onHand).toBe(40);
    expect(reservedUnits).toBeLessThanOrEqual(40);
    // Only what no waiting order could take is left (every order wants 1 or 7).
    expect(levels.available).toBe(0);
    // Each reserved order recorded where its units came from, and the allocations add up to the shards.
    for (const order of stored.filter((o) => o!.stock === 'RESERVED')) {
      const allocation = order!.stockAllocation!['HOT-RACE']!;
      expect(allocation.reduce((n, [, q]) => n + q, 0)).toBe(order!.items[0]!.quantity);
    }
  }, 180_000);

  it('takes a hot line and a normal line together or not at all', async () => {
    await createHotProduct('HOT-MULTI', 1000);
    await createProduct('COLD-SHORT', 5);
    const orders = await Promise.all(Array.from({ length: 20 }, () => createPendingOrder([{ sku: 'HOT-MULTI', quantity: 3 }, { sku: 'COLD-SHORT', quantity: 1 }])));

    const results = await Promise.allSettled(orders.map((order) => reserveStock(order.id)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect((await expectShardsConsistent('HOT-MULTI')).reserved).toBe(15);
    expect((await inventoryStore.get('COLD-SHORT'))!.reserved).toBe(5);
    const pending = (await Promise.all(orders.map((o) => orderStore.get(o.id)))).filter((o) => o!.status === 'PENDING');
    expect(pending).toHaveLength(15);
    expect(pending.every((o) => o!.stock === 'NONE' && o!.stockAllocation === undefined)).toBe(true);
  });

  it('releases to the shards it took from exactly once, whatever races (cancel, compensation twice), and ships from them', async () => {
    await createHotProduct('HOT-RELEASE', 64);
    const orders = await Promise.all(Array.from({ length: 24 }, () => createPendingOrder([{ sku: 'HOT-RELEASE', quantity: 2 }])));
    await Promise.all(orders.map((o) => reserveStock(o.id)));
    const before = await readShards('HOT-RELEASE', allShards(DEFAULT_HOT_SHARDS), true);
    expect(before.reduce((n, s) => n + s.reserved, 0)).toBe(48);

    const toCancel = orders.slice(0, 12);
    const toShip = orders.slice(12);
    for (const order of toShip) {
      await orderStore.transition(order.id, 'PAID', { actor: 'test', reason: 'paid' });
      await orderStore.transition(order.id, 'LABELLED', { actor: 'test', reason: 'labelled' });
    }
    await Promise.allSettled([
      ...toCancel.flatMap((o) => [cancelOrder(o.id, 'customer:test', 'race', () => true), releaseStock(o.id), releaseStock(o.id)]),
      ...toShip.flatMap((o) => [shipStock(o.id, 'test', {}), shipStock(o.id, 'test', {})]),
    ]);

    const levels = await expectShardsConsistent('HOT-RELEASE');
    expect(levels).toMatchObject({ onHand: 64 - 24, reserved: 0, available: 64 - 24 });
    // Every shard is back to what it had before minus exactly what its shipped orders took from it.
    const shippedFrom = new Map<number, number>();
    for (const order of await Promise.all(toShip.map((o) => orderStore.get(o.id)))) {
      for (const [shard, q] of order!.stockAllocation!['HOT-RELEASE']!) shippedFrom.set(shard, (shippedFrom.get(shard) ?? 0) + q);
    }
    const after = await readShards('HOT-RELEASE', allShards(DEFAULT_HOT_SHARDS), true);
    for (const shard of after) expect(shard.onHand).toBe(before[shard.shard]!.onHand - (shippedFrom.get(shard.shard) ?? 0));
  });

  it('raises one low-stock alert for the crossing, re-armed by a restock, and adjusts across shards', async () => {
    await createHotProduct('HOT-ALERT', 40, 10);
    const orders = await Promise.all(Array.from({ length: 35 }, () => createPendingOrder([{ sku: 'HOT-ALERT', quantity: 1 }])));
    await Promise.allSettled(orders.map((o) => reserveStock(o.id)));
    const alerts = (await listAlerts(100)).items.filter((a) => a.sku === 'HOT-ALERT');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.available).toBeLessThanOrEqual(10);

    // A fall larger than any shard, then a rise: the levels and the adjustment history agree.
    const { levels: down } = await inventoryStore.adjust('HOT-ALERT', -4, 'count', 'admin:test');
    expect(down).toMatchObject({ onHand: 36, available: 1 });
    const { levels: up } = await inventoryStore.adjust('HOT-ALERT', 50, 'restock', 'admin:test');
    expect(up).toMatchObject({ onHand: 86, available: 51 });
    await expect(inventoryStore.adjust('HOT-ALERT', -52, 'too many', 'admin:test')).rejects.toThrow('Not enough available stock');
    await expectShardsConsistent('HOT-ALERT');
  });

  it('turns an existing SKU hot with its reservations, which are then released from shard 0', async () => {
    await createProduct('WARM', 30);
    const held = await createPendingOrder([{ sku: 'WARM', quantity: 4 }]);
    await reserveStock(held.id);
    await makeHot('WARM');
    expect(await expectShardsConsistent('WARM')).toMatchObject({ onHand: 30, reserved: 4, available: 26 });
    const next = await createPendingOrder([{ sku: 'WARM', quantity: 3 }]);
    expect((await reserveStock(next.id)).stockAllocation?.WARM).toBeDefined();
    expect(await releaseStock(held.id)).toBe(true);
    expect(await releaseStock(held.id)).toBe(false);
    expect(await expectShardsConsistent('WARM')).toMatchObject({ onHand: 30, reserved: 3, available: 27 });
  });
});

describe('hot SKU through the admin API', () => {
  const post = (body: unknown) => call(createProductHandler, { method: 'POST', path: '/admin/products', routeKey: 'POST /admin/products', body: JSON.stringify(body), caller: admin });
  const patch = (sku: string, body: unknown) =>
    call(updateProductHandler, { method: 'PATCH', path: `/admin/products/${sku}`, routeKey: 'PATCH /admin/products/{sku}', pathParameters: { sku }, body: JSON.stringify(body), caller: admin });

  it('POST hot: true creates the shards; the answers carry the same levels as for any SKU', async () => {
    const res = await post({ sku: 'API-HOT', name: 'Flash', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 2, initialStock: 33, hot: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ sku: 'API-HOT', hot: true, inventory: { onHand: 33, reserved: 0, available: 33, lowStockThreshold: 2, low: false } });
    expect(await readShards('API-HOT', allShards(DEFAULT_HOT_SHARDS), true)).toHaveLength(DEFAULT_HOT_SHARDS);
    const pub = await call(getProductHandler, { path: '/products/API-HOT', routeKey: 'GET /products/{sku}', pathParameters: { sku: 'API-HOT' } });
    expect(pub.body).toEqual({ sku: 'API-HOT', name: 'Flash', description: '', price: { amount: 100, currency: 'USD' }, available: 33 });
  });

  it('PATCH hot: true turns a SKU hot keeping its levels; hot: false is a 400 that changes nothing', async () => {
    expect((await post({ sku: 'API-WARM', name: 'Warm', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 0, initialStock: 20 })).status).toBe(201);
    const res = await patch('API-WARM', { hot: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hot: true, inventory: { onHand: 20, reserved: 0, available: 20 } });
    expect((await readShards('API-WARM', allShards(DEFAULT_HOT_SHARDS), true)).reduce((n, s) => n + s.available, 0)).toBe(20);
    const refused = await patch('API-WARM', { hot: false });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'hot', message: 'can only be set to true: a hot SKU stays hot' }]);
    expect(await inventoryStore.get('API-WARM')).toMatchObject({ onHand: 20, available: 20 });
  });
});

describe('hot SKU through the per-item write-limit model', () => {
  let proxy: ThrottleProxy;
  beforeAll(async () => {
    proxy = await startThrottleProxy({ target: tables.endpoint, unitsPerItemPerSecond: 6 });
    process.env.DYNAMODB_ENDPOINT = proxy.endpoint;
  });
  afterAll(async () => {
    process.env.DYNAMODB_ENDPOINT = tables.endpoint;
    await proxy.stop();
  });

  it('sells out exactly under throttling: throttled reservations retried, none oversold or lost', async () => {
    await createHotProduct('HOT-THROTTLED', 30);
    const orders = await Promise.all(Array.from({ length: 60 }, () => createPendingOrder([{ sku: 'HOT-THROTTLED', quantity: 1 }])));
    let throttled = 0;
    const outcomes = await Promise.all(
      orders.map(async (order) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          try {
            await reserveStock(order.id);
            return 'reserved';
          } catch (error) {
            if (error instanceof OutOfStock) return 'out-of-stock';
            // Step Functions retries the reservation step on these. DynamoDB Local also answers a 500 when its
            // own item lock waits too long on an overloaded machine: transient too, retried the same way.
            expect(['TransactionCanceledException', 'ThrottlingException', 'InternalServerError']).toContain((error as Error).name);
            if ((error as Error).name !== 'InternalServerError') throttled++;
            await new Promise((r) => setTimeout(r, 20 + Math.random() * 100));
          }
        }
        return 'gave-up';
      }),
    );
    expect(throttled).toBeGreaterThan(0); // the model did push back
    expect(outcomes.filter((o) => o === 'reserved')).toHaveLength(30);
    expect(outcomes.filter((o) => o === 'out-of-stock')).toHaveLength(30);
    expect(proxy.stats.throttled).toBeGreaterThan(0);
    expect(await expectShardsConsistent('HOT-THROTTLED')).toMatchObject({ onHand: 30, reserved: 30, available: 0 });
  });
});
