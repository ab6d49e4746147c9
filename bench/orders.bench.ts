/**
 * npm run bench — orders per second and latency of POST /orders through the local stack, against the raw
 * rate of the same reservation transaction sent straight to DynamoDB Local, in the same run (these
 * machines are noisy: compare ratios, not absolute numbers). Bounded: a fixed number of requests per run.
 *
 *   BENCH_REQUESTS=300 npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../local/stack';
import { signIn } from '../local/cognito';

// Handler modules are imported after the stack has set their environment (log level included).
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 240);
const SPREAD_SKUS = 16;

interface Result {
  name: string;
  concurrency: number;
  count: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Runs `count` calls of `task(i)` with `concurrency` in flight; latency per call in ms. */
async function drive(name: string, concurrency: number, count: number, task: (i: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const ok = await task(i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, concurrency, count, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'order-bench-'));
  // A long hold keeps executions parked in their Wait state: the run measures placement (and the
  // reservation/authorization it triggers), not label generation.
  const stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, cognito: 0, stepFunctions: 0 }, seed: false, env: { ORDER_HOLD_SECONDS: '3600', POWERTOOLS_LOG_LEVEL: 'ERROR' } });
  try {
    const { orderStore } = await import('../functions/adapters/order-store');
    const { productStore } = await import('../functions/adapters/product-store');
    const { inventoryUpdates } = await import('../functions/adapters/inventory-store');
    const { transactWrite } = await import('../functions/adapters/transactions');
    const { accessToken: adminToken } = await signIn(stack.cognito, 'admin@example.com');
    const { accessToken: customerToken } = await signIn(stack.cognito, 'customer@example.com');
    const skus = Array.from({ length: SPREAD_SKUS }, (_, i) => `BENCH-${i}`);
    for (const sku of [...skus, 'BENCH-HOT', 'RAW-HOT', ...skus.map((s) => `RAW-${s}`)]) {
      const res = await fetch(`${stack.apiUrl}/admin/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sku, name: sku, price: { amount: 1000, currency: 'USD' }, lowStockThreshold: 0, initialStock: 1_000_000 }),
      });
      if (res.status !== 201) throw new Error(`Creating ${sku}: ${res.status} ${await res.text()}`);
    }

    let key = 0;
    const placeOrder = (sku: string) => async () => {
      const res = await fetch(`${stack.apiUrl}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json', 'idempotency-key': `bench-${process.pid}-${key++}` },
        body: JSON.stringify({
          customer: { name: 'Bench Customer', email: 'bench@example.com' },
          shippingAddress: { line1: '1 Test St', city: 'Springfield', postalCode: '12345', country: 'US' },
          items: [{ sku, quantity: 1 }],
          payment: { paymentMethodId: 'pm_card_visa' },
        }),
      });
      await res.arrayBuffer();
      return res.status === 202;
    };

    // The raw baseline: the reservation transaction itself (order PENDING→RESERVED + stock), sent directly
    // to DynamoDB Local. Its PENDING orders are created before the clock starts.
    const product = (await productStore.get('RAW-HOT'))!;
    const preparePending = async (count: number, pick: (i: number) => string) => {
      const now = new Date().toISOString();
      const orders = Array.from({ length: count }, (_, i) => ({ id: crypto.randomUUID(), sku: pick(i) }));
      for (let i = 0; i < orders.length; i += 16) {
        await Promise.all(
          orders.slice(i, i + 16).map(({ id, sku }) =>
            orderStore.create({
              id, userId: 'bench', status: 'PENDING', customer: { name: 'x', email: 'raw@example.com' },
              shippingAddress: { line1: 'x', city: 'x', postalCode: 'x', country: 'US' },
              items: [{ sku, name: sku, quantity: 1, unitPrice: product.price, lineTotal: product.price }], total: product.price,
              paymentMethodId: 'pm_card_visa', stock: 'NONE', timeline: [], createdAt: now, updatedAt: now, version: 1,
            }),
          ),
        );
      }
      return orders;
    };
    const rawReserve = (orders: { id: string; sku: string }[]) => async (i: number) => {
      const { id, sku } = orders[i]!;
      const now = new Date().toISOString();
      await transactWrite([
        { Update: orderStore.transitionUpdate(id, 'RESERVED', { actor: 'bench', reason: 'raw' }, { from: ['PENDING'], set: { stock: 'RESERVED' }, at: now }) },
        inventoryUpdates.reserve(sku, 1, now),
      ]);
      return true;
    };

    // Warm-up: first Lambda-module imports and JIT.
    await drive('warm-up', 4, 20, placeOrder(skus[0]!));

    const rows: { service: Result; raw: Result }[] = [];
    for (const [label, concurrency, pick, rawPick] of [
      ['spread', 1, (i: number) => skus[i % SPREAD_SKUS]!, (i: number) => `RAW-${skus[i % SPREAD_SKUS]}`],
      ['spread', 8, (i: number) => skus[i % SPREAD_SKUS]!, (i: number) => `RAW-${skus[i % SPREAD_SKUS]}`],
      ['spread', 32, (i: number) => skus[i % SPREAD_SKUS]!, (i: number) => `RAW-${skus[i % SPREAD_SKUS]}`],
      ['hot SKU', 32, () => 'BENCH-HOT', () => 'RAW-HOT'],
    ] as const) {
      const count = concurrency === 1 ? Math.max(40, Math.floor(REQUESTS / 4)) : REQUESTS;
      const service = await drive(`POST /orders (${label})`, concurrency, count, (i) => placeOrder(pick(i))());
      const pending = await preparePending(count, rawPick);
      const raw = await drive(`raw reservation tx (${label})`, concurrency, count, rawReserve(pending));
      rows.push({ service, raw });
    }

    const fmt = (n: number, d = 1) => n.toFixed(d).padStart(8);
    console.log(`\nPOST /orders through the local stack vs the raw reservation transaction on DynamoDB Local (${REQUESTS} requests per run)\n`);
    console.log('run                               conc   req/s     p50 ms    p99 ms  errors | raw tx/s  raw p50  raw p99 | service/raw rate');
    for (const { service, raw } of rows) {
      const rate = service.count / service.seconds;
      const rawRate = raw.count / raw.seconds;
      console.log(
        `${service.name.padEnd(33)} ${String(service.concurrency).padStart(4)} ${fmt(rate)} ${fmt(service.p50)} ${fmt(service.p99)} ${String(service.errors).padStart(7)} | ${fmt(rawRate)} ${fmt(raw.p50)} ${fmt(raw.p99)} | ${(rate / rawRate).toFixed(3).padStart(8)}`,
      );
    }
    const hot = rows.at(-1)!;
    const spread32 = rows[2]!;
    console.log(`\nhot SKU / spread at concurrency 32: service ${((hot.service.count / hot.service.seconds) / (spread32.service.count / spread32.service.seconds)).toFixed(3)}, raw ${((hot.raw.count / hot.raw.seconds) / (spread32.raw.count / spread32.raw.seconds)).toFixed(3)}`);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
