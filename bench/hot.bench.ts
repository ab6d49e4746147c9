/**
 * npm run bench:hot — reservations per second of ONE SKU, single-item vs hot (sharded), through the real
 * reserveStock use case, against the per-item write-limit model (bench/throttle-proxy.ts) in front of
 * DynamoDB Local: same model, same run. Then a sell-out phase proves 0 oversold on the hot SKU. Last, hot-SKU
 * orders written whole (the order put with its number and index keys, the reservation, then the payment
 * record of its authorization) under the same model, which also limits every index partition: it reports the
 * busiest item and index partition against the budget, and what the unsharded `ORDERS` / `ORDER_STATUS#…` /
 * `PAYMENTS` / `PAYMENT_STATUS#…` partitions would have taken.
 *
 *   BENCH_HOT_UNITS=8 BENCH_HOT_SECONDS=10 BENCH_HOT_SHARDS=16 [BENCH_HOT_WHOLE_UNITS=200] npm run bench:hot
 * Uses DYNAMODB_ENDPOINT when set (an already-running DynamoDB Local), else starts one.
 */
import { performance } from 'node:perf_hooks';
import { startThrottleProxy } from './throttle-proxy';
import { createTables, externalDynamoDbEndpoint, startDynamoDbLocal } from '../local/dynamodb';

// Write units per item per second (DynamoDB: 1,000), scaled to what one DynamoDB Local can serve: at 20 the
// 16 shards' ceiling (160 reservations/s) was above this 2-core machine's rate (64/s, shards at 3 % of
// budget), so the ratio measured the machine, not the design; at 8 the sharded ceiling is 64/s.
const UNITS = Number(process.env.BENCH_HOT_UNITS ?? 8);
const SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 10);
const SHARDS = Number(process.env.BENCH_HOT_SHARDS ?? 16);
const CONCURRENCY = Number(process.env.BENCH_HOT_CONCURRENCY ?? 32);
// The whole-order phase: a budget at which one order's index write (about 2 units) is a small share of a
// partition's second, as on AWS (2 of 1,000).
const WHOLE_UNITS = Number(process.env.BENCH_HOT_WHOLE_UNITS ?? 200);

async function main() {
  const external = externalDynamoDbEndpoint(process.env.DYNAMODB_ENDPOINT);
  const local = external ? undefined : await startDynamoDbLocal({ port: 0 });
  const upstream = external ?? local!.endpoint;
  const proxy = await startThrottleProxy({ target: upstream, unitsPerItemPerSecond: UNITS, indexes: true });
  const prefix = `hotbench${Date.now()}-`;
  const names = await createTables(upstream, prefix);
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: proxy.endpoint,
    TABLE_NAME: names.OrderTable,
    IDEMPOTENCY_TABLE_NAME: names.IdempotencyTable,
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  try {
    const { authorizePayment, createPendingOrder, createProductWithStock, pendingOrders } = await import('./hot-scenario');
    const { reserveStock } = await import('../functions/orders/service');
    const { inventoryStore } = await import('../functions/adapters/inventory-store');

    /** Reservations of `sku` for SECONDS at CONCURRENCY; a throttled one is retried (as Step Functions' Retry would). */
    async function drive(sku: string) {
      // Orders are written before the clock starts, outside the model (they are measured in the last phase).
      proxy.setRate(Infinity);
      const orders = await pendingOrders(sku, Math.ceil(SECONDS * UNITS * SHARDS * 0.6) + 200);
      proxy.setRate(UNITS);
      let next = 0;
      let ok = 0;
      let throttled = 0;
      let outOfStock = 0;
      const t0 = performance.now();
      const end = t0 + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end && next < orders.length) {
            const id = orders[next++]!;
            for (;;) {
              try {
                await reserveStock(id);
                ok++;
                break;
              } catch (error) {
                const name = (error as Error).name;
                if (name === 'OutOfStock') {
                  outOfStock++;
                  break;
                }
                if (name !== 'TransactionCanceledException' && name !== 'ThrottlingException') throw error;
                throttled++;
                if (performance.now() >= end) break;
                await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
              }
            }
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      return { rate: ok / seconds, ok, throttled, outOfStock, seconds };
    }

    proxy.setRate(Infinity);
    await createProductWithStock('ONE-ITEM', 1_000_000, 0);
    await createProductWithStock('HOT-SHARDED', 1_000_000, SHARDS);
    const single = await drive('ONE-ITEM');
    const hot = await drive('HOT-SHARDED');

    // Sell-out: 3× more single-unit orders than stock, all at once, on the hot SKU.
    const STOCK = 150;
    proxy.setRate(Infinity);
    await createProductWithStock('HOT-SELLOUT', STOCK, SHARDS);
    const sellout = await pendingOrders('HOT-SELLOUT', STOCK * 3);
    proxy.setRate(UNITS);
    let sold = 0;
    let refused = 0;
    await Promise.all(
      sellout.map(async (id) => {
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            await reserveStock(id);
            sold++;
            return;
          } catch (error) {
            if ((error as Error).name === 'OutOfStock') {
              refused++;
              return;
            }
            await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
          }
        }
      }),
    );
    const levels = (await inventoryStore.get('HOT-SELLOUT'))!;

    // Whole hot-SKU orders under the model: put (number, index keys) + reservation + the authorization's
    // payment record (with the order's summary), every bucket limited.
    proxy.setRate(Infinity);
    await createProductWithStock('HOT-WHOLE', 1_000_000, SHARDS);
    proxy.setRate(WHOLE_UNITS);
    const unitsBefore = new Map(proxy.stats.units);
    const throttledBefore = new Map(proxy.stats.throttledBy);
    let whole = 0;
    let wholeThrottled = 0;
    const w0 = performance.now();
    const wEnd = w0 + SECONDS * 1000;
    const retrying = async (call: () => Promise<unknown>) => {
      for (;;) {
        try {
          return await call();
        } catch (error) {
          const name = (error as Error).name;
          if (name !== 'TransactionCanceledException' && name !== 'ThrottlingException') throw error;
          wholeThrottled++;
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
        }
      }
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < wEnd) {
          const id = crypto.randomUUID();
          await retrying(() => createPendingOrder('HOT-WHOLE', id));
          await retrying(() => reserveStock(id));
          await retrying(() => authorizePayment(id));
          whole++;
        }
      }),
    );
    const wSeconds = (performance.now() - w0) / 1000;
    const took = [...proxy.stats.units].map(([bucket, units]) => ({ bucket, rate: (units - (unitsBefore.get(bucket) ?? 0)) / wSeconds })).filter((b) => b.rate > 0);
    const throttledIn = [...proxy.stats.throttledBy].map(([bucket, n]) => ({ bucket, n: n - (throttledBefore.get(bucket) ?? 0) })).filter((b) => b.n > 0);
    const isIndex = (b: string) => b.startsWith('index:');
    const isStockShard = (b: string) => /PRODUCT#HOT-WHOLE#SHARD#\d+"/.test(b);
    const busiest = (filter: (b: string) => boolean) => took.filter((b) => filter(b.bucket)).sort((a, b) => b.rate - a.rate)[0];
    // What one partition would have taken without the shards: the shard suffix dropped.
    const unsharded = new Map<string, number>();
    for (const b of took.filter((t) => isIndex(t.bucket) && /:(ORDERS|ORDER_STATUS#\w+|PAYMENTS|PAYMENT_STATUS#\w+)#\d+$/.test(t.bucket))) {
      const key = b.bucket.replace(/#\d+$/, '').replace(/^index:[^:]+:/, '');
      unsharded.set(key, (unsharded.get(key) ?? 0) + b.rate);
    }

    console.log(`\nPer-item write model: ${UNITS} write units/item/s (a transactional write costs 2 per item); ${CONCURRENCY} in flight, ${SECONDS} s each\n`);
    console.log('SKU                       reservations/s   reserved   throttled answers');
    console.log(`one item                  ${single.rate.toFixed(1).padStart(14)} ${String(single.ok).padStart(10)} ${String(single.throttled).padStart(18)}`);
    console.log(`hot, ${String(SHARDS).padEnd(2)} shards             ${hot.rate.toFixed(1).padStart(14)} ${String(hot.ok).padStart(10)} ${String(hot.throttled).padStart(18)}`);
    console.log(`\nhot / one item: ${(hot.rate / single.rate).toFixed(1)}×  (one item's model ceiling ${(UNITS / 2).toFixed(1)}/s)`);
    console.log(`sell-out of ${STOCK} units by ${STOCK * 3} orders: reserved ${sold}, refused ${refused}, stock now onHand ${levels.onHand} reserved ${levels.reserved} available ${levels.available}; oversold ${Math.max(0, sold - STOCK)}`);
    const fmt = (b: { bucket: string; rate: number } | undefined) => (b ? `${b.rate.toFixed(2)} units/s (${((b.rate / WHOLE_UNITS) * 100).toFixed(0)} % of ${WHOLE_UNITS}) ${b.bucket.replace(/^[^|]*\|/, '').replace(/^index:[^:]+:/, 'index ')}` : 'none');
    console.log(`\nWhole hot-SKU orders (put with number and index keys, reserve, authorization's payment record), every item and index partition limited to ${WHOLE_UNITS} units/s:`);
    console.log(`  ${whole} orders in ${wSeconds.toFixed(1)} s = ${(whole / wSeconds).toFixed(1)}/s; ${wholeThrottled} throttled answers`);
    console.log(`  busiest stock shard:     ${fmt(busiest(isStockShard))}`);
    console.log(`  busiest other item:      ${fmt(busiest((b) => !isIndex(b) && !isStockShard(b)))}`);
    console.log(`  busiest index partition: ${fmt(busiest(isIndex))}`);
    const busiestPayment = busiest((b) => /^index:[^:]+:gsi\d:PAYMENT/.test(b));
    console.log(`  busiest payment index partition: ${fmt(busiestPayment)}`);
    for (const [key, rate] of [...unsharded].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
      console.log(`  unsharded ${key} would take ${rate.toFixed(2)} units/s = ${(rate / WHOLE_UNITS).toFixed(2)}× its budget`);
    }
    console.log(`proxy: ${proxy.stats.forwarded} requests forwarded, ${proxy.stats.throttled} throttled`);
    const overBudget = took.filter((b) => !isStockShard(b.bucket) && b.rate > WHOLE_UNITS);
    const byKind = (f: (b: string) => boolean) => throttledIn.filter((t) => f(t.bucket)).reduce((n, t) => n + t.n, 0);
    console.log(`  throttled by stock shards ${byKind(isStockShard)}, by index partitions ${byKind(isIndex)}, by other items ${byKind((b) => !isIndex(b) && !isStockShard(b))}`);
    console.log(`  buckets other than stock shards over budget (sustained): ${overBudget.length ? overBudget.map((b) => b.bucket).join(', ') : 'none'}`);
    const nonStockThrottles = byKind((b) => !isStockShard(b));
    if (hot.rate / single.rate < 10) console.error(`FAIL: hot / one item ${(hot.rate / single.rate).toFixed(1)}× < 10× (this machine's CPU bounds the sharded rate; its model ceiling is ${SHARDS}×)`);
    if (nonStockThrottles || overBudget.length) console.error('FAIL: an item or index partition other than a stock shard was throttled or over budget');
    if (hot.rate / single.rate < 10 || sold > STOCK || levels.available < 0 || levels.reserved !== sold || nonStockThrottles || overBudget.length) process.exitCode = 1;
  } finally {
    await proxy.stop();
    await local?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
