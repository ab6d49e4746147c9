/**
 * npm run bench — orders per second and latency of POST /orders through the local stack, against the raw
 * rate of the same reservation transaction sent straight to DynamoDB Local, in the same run (these
 * machines are noisy: compare ratios, not absolute numbers). Bounded: a fixed number of requests per run.
 * First, on a quiet table, per order end to end (saga to SHIPPED, no hold): DynamoDB requests and the
 * capacity DynamoDB Local reports for them (a metering proxy adds ReturnConsumedCapacity=TOTAL), Lambda
 * invocations (API, workflow tasks, outbox consumer batches), Step Functions state transitions, emails sent,
 * and what that costs per 1,000 orders at list prices.
 *
 *   BENCH_REQUESTS=300 BENCH_E2E_ORDERS=20 npm run bench
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../local/stack';
import { signIn } from '../local/cognito';
import { externalDynamoDbEndpoint, startDynamoDbLocal } from '../local/dynamodb';
import { startThrottleProxy, type ProxyStats } from './throttle-proxy';
import { ORDER_INDEX_SHARDS, PAYMENT_INDEX_SHARDS } from '../functions/adapters/keys';

// Handler modules are imported after the stack has set their environment (log level included).
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 240);
const E2E_ORDERS = Number(process.env.BENCH_E2E_ORDERS ?? 20);

/**
 * AWS list prices used for the cost line: us-east-1, on-demand, as published on the AWS pricing pages and
 * known on 2026-12-01 (not fetched by this script; check the pages before quoting). Free tiers ignored.
 */
const PRICES = {
  date: '2026-12-01 (us-east-1 list prices)',
  dynamoWriteUnit: 0.625 / 1e6, // DynamoDB on-demand, per write request unit
  dynamoReadUnit: 0.125 / 1e6, // per read request unit
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334, // arm64
  lambdaAssumedSeconds: 0.1, // billed duration assumed per invocation (not measured here), at 512 MB
  lambdaMemoryGb: 0.5,
  stepFunctionsTransition: 0.025 / 1000, // Standard workflows
  httpApiRequest: 1.0 / 1e6, // API Gateway HTTP API
  sesEmail: 0.1 / 1000,
};
const SPREAD_SKUS = 16;
const STREAM_OPERATIONS = new Set(['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListStreams']);

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
  let outboxBatches = 0;
  let outboxRecords = 0;
  // DynamoDB behind a metering proxy (no throttling): every request is counted with its consumed capacity.
  const external = externalDynamoDbEndpoint(process.env.DYNAMODB_ENDPOINT);
  const dynamo = external ? undefined : await startDynamoDbLocal({ port: 0 });
  const meter = await startThrottleProxy({ target: external ?? dynamo!.endpoint, unitsPerItemPerSecond: Infinity, indexes: true });
  // A long hold keeps executions parked in their Wait state: the run measures placement (and the
  // reservation/authorization it triggers), not label generation.
  const stack = await startLocalStack({
    dataDir, ports: { api: 0, cognito: 0, stepFunctions: 0 }, dynamoDbEndpoint: meter.endpoint, tablePrefix: `bench${Date.now()}-`,
    seed: false, env: { ORDER_HOLD_SECONDS: '3600', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    // The reconciler and the webhook sweep run on schedules, a fixed cost per sweep rather than per order;
    // left running they would also keep the table from ever going quiet between phases.
    reconcileIntervalMs: 0,
    webhookSweepIntervalMs: 0,
    onOutboxBatch: (records) => {
      outboxBatches++;
      outboxRecords += records;
    },
  });
  // Requests to the table, without the stream reads of the outbox poller (on AWS the event source mapping's
  // stream reads are not billed as DynamoDB requests).
  const tableRequests = () => Object.entries(meter.stats.operations).filter(([op]) => !STREAM_OPERATIONS.has(op)).reduce((n, [, c]) => n + c, 0);
  /** Waits until nothing has touched the table for 1.5 s: the sagas and stream effects of earlier orders are done. */
  const quiesce = async (timeoutMs = 180_000) => {
    const deadline = Date.now() + timeoutMs;
    for (let last = -1, still = 0; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const now = tableRequests();
      still = now === last ? still + 1 : 0;
      if (still >= 3) return;
      last = now;
    }
    throw new Error('The table did not go quiet; the per-order figures would count other orders');
  };
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

    // Per order, end to end: no hold, every saga run to its end, everything it costs counted.
    // First, on a quiet table: the warm-up's sagas are parked in their hold, nothing else runs. (Measured
    // after the rate runs, the hundreds of sagas those leave running were counted as this phase's.)
    process.env.ORDER_HOLD_SECONDS = '0';
    await quiesce();
    const before = snapshotStats(meter.stats);
    const emailsBefore = sentEmails(dataDir);
    const batchesBefore = outboxBatches;
    const recordsBefore = outboxRecords;
    const unitsBefore = new Map(meter.stats.units);
    const ids: string[] = [];
    let apiRequests = 0;
    await drive('end-to-end orders', 4, E2E_ORDERS, async (i) => {
      const res = await fetch(`${stack.apiUrl}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json', 'idempotency-key': `e2e-${process.pid}-${i}` },
        body: JSON.stringify({
          customer: { name: 'Bench Customer', email: 'bench@example.com' },
          shippingAddress: { line1: '1 Test St', city: 'Springfield', postalCode: '12345', country: 'US' },
          items: [{ sku: skus[i % SPREAD_SKUS]!, quantity: 1 }],
          payment: { paymentMethodId: 'pm_card_visa' },
        }),
      });
      apiRequests++;
      const body = (await res.json()) as { id?: string };
      if (body.id) ids.push(body.id);
      return res.status === 202;
    });
    const executionArn = (id: string) => `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
    const statuses: Record<string, number> = {};
    for (const id of ids) {
      const arn = executionArn(id);
      const deadline = Date.now() + 120_000;
      while (!stack.stepFunctions.executions.has(arn) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const done = stack.stepFunctions.executions.has(arn) ? await stack.stepFunctions.waitForExecution(arn) : undefined;
      statuses[done?.status ?? 'NOT STARTED'] = (statuses[done?.status ?? 'NOT STARTED'] ?? 0) + 1;
    }
    // The stream effects of the last transitions (emails, the ledger, the timeline) land after the sagas end.
    await quiesce();
    const used = diffStats(before, meter.stats);
    const emails = sentEmails(dataDir) - emailsBefore;
    const batches = outboxBatches - batchesBefore;
    const records = outboxRecords - recordsBefore;
    const trail = readFileSync(path.join(dataDir, 'executions.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; executionArn?: string; stateType?: string; state?: string });
    const mine = new Set(ids.map(executionArn));
    const events = trail.filter((e) => e.executionArn && mine.has(e.executionArn));
    const transitions = events.filter((e) => e.event === 'StateEntered' || e.event === 'StateRetried').length;
    const taskInvocations = events.filter((e) => (e.event === 'StateEntered' || e.event === 'StateRetried') && e.stateType === 'Task').length;
    const n = ids.length || 1;
    const per = (x: number) => x / n;
    const invocations = per(apiRequests + taskInvocations + batches);
    const cost = {
      dynamo: per(used.writeUnits) * PRICES.dynamoWriteUnit + per(used.readUnits) * PRICES.dynamoReadUnit,
      lambda: invocations * (PRICES.lambdaRequest + PRICES.lambdaAssumedSeconds * PRICES.lambdaMemoryGb * PRICES.lambdaGbSecond),
      stepFunctions: per(transitions) * PRICES.stepFunctionsTransition,
      api: per(apiRequests) * PRICES.httpApiRequest,
      ses: per(emails) * PRICES.sesEmail,
    };
    const total = Object.values(cost).reduce((a, b) => a + b, 0);
    console.log(`\nPer order, end to end (${ids.length} orders, saga run to the end: ${Object.entries(statuses).map(([k, v]) => `${v} ${k}`).join(', ')})`);
    const tableOps = Object.entries(used.operations).filter(([op]) => !STREAM_OPERATIONS.has(op));
    console.log(`  DynamoDB requests      ${per(tableOps.reduce((t, [, c]) => t + c, 0)).toFixed(1)}  (${tableOps.sort((a, b) => b[1] - a[1]).map(([op, c]) => `${op} ${per(c).toFixed(1)}`).join(', ')}; the outbox poller's stream reads not counted)`);
    console.log(`  consumed capacity      ${per(used.readUnits).toFixed(1)} read units, ${per(used.writeUnits).toFixed(1)} write units (as DynamoDB Local reports them)`);
    console.log(`  Lambda invocations     ${invocations.toFixed(1)}  (${per(apiRequests).toFixed(1)} API, ${per(taskInvocations).toFixed(1)} workflow tasks, ${per(batches).toFixed(1)} outbox consumer batches for ${per(records).toFixed(1)} stream records; on AWS the batches depend on the mapping's batch size and window)`);
    console.log(`  Step Functions         ${per(transitions).toFixed(1)} state transitions (states entered + retries)`);
    console.log(`  emails                 ${per(emails).toFixed(1)}`);
    // The model's index accounting (bench/throttle-proxy.ts: 1 unit per KB of the item per index write):
    // what each order puts on the sharded order index partitions, which bounds the orders/s they sustain.
    const indexUnits = new Map<string, number>();
    for (const [bucket, units] of meter.stats.units) {
      const m = bucket.match(/^index:[^:]+:(gsi1:ORDERS|gsi3:ORDER_STATUS#\w+|gsi1:PAYMENTS|gsi3:PAYMENT_STATUS#\w+)#\d+$/);
      if (m) indexUnits.set(m[1]!, (indexUnits.get(m[1]!) ?? 0) + units - (unitsBefore.get(bucket) ?? 0));
    }
    const gsi1 = per(indexUnits.get('gsi1:ORDERS') ?? 0);
    console.log(`  order index units      ${gsi1.toFixed(1)} on gsi1 ORDERS#n (${ORDER_INDEX_SHARDS} shards: about ${Math.floor((ORDER_INDEX_SHARDS * 1000) / Math.max(gsi1, 1))} orders/s at 1,000 units/s per partition), ${[...indexUnits].filter(([k]) => k.startsWith('gsi3:ORDER')).map(([k, u]) => `${k.replace('gsi3:', '')} ${per(u).toFixed(1)}`).join(', ')}`);
    // The payment record's entries, on its own sharded keys (keys.ts PAYMENT_INDEX_SHARDS).
    const payments = per(indexUnits.get('gsi1:PAYMENTS') ?? 0);
    const paymentStatuses = [...indexUnits].filter(([k]) => k.startsWith('gsi3:PAYMENT')).map(([k, u]) => [k.replace('gsi3:', ''), per(u)] as const);
    const busiestPayment = Math.max(payments, ...paymentStatuses.map(([, u]) => u));
    console.log(`  payment index units    ${payments.toFixed(1)} on gsi1 PAYMENTS#n, ${paymentStatuses.map(([k, u]) => `${k} ${u.toFixed(1)}`).join(', ')} (${PAYMENT_INDEX_SHARDS} shards: about ${Math.floor((PAYMENT_INDEX_SHARDS * 1000) / Math.max(busiestPayment, 1))} orders/s at 1,000 units/s per partition)`);
    console.log(`\nAWS cost per 1,000 orders at ${PRICES.date}: $${(total * 1000).toFixed(4)}`);
    console.log(`  DynamoDB $${(cost.dynamo * 1000).toFixed(4)}, Lambda $${(cost.lambda * 1000).toFixed(4)} (requests + ${PRICES.lambdaAssumedSeconds * 1000} ms at 512 MB arm64 assumed per invocation), Step Functions Standard $${(cost.stepFunctions * 1000).toFixed(4)}, HTTP API $${(cost.api * 1000).toFixed(4)}, SES $${(cost.ses * 1000).toFixed(4)}; CloudWatch Logs, X-Ray, KMS and S3 not included`);

    // The rate runs measure placement (and the reservation and authorization it triggers): parked again.
    process.env.ORDER_HOLD_SECONDS = '3600';
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
    await meter.stop();
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Emails sent so far: local mode's mailer writes each one as a .eml file under <dataDir>/outbox. */
function sentEmails(dataDir: string): number {
  const dir = path.join(dataDir, 'outbox');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).length : 0;
}

const snapshotStats = (s: ProxyStats) => ({ requests: s.forwarded, operations: { ...s.operations }, readUnits: s.readUnits, writeUnits: s.writeUnits });
function diffStats(before: ReturnType<typeof snapshotStats>, after: ProxyStats) {
  const operations: Record<string, number> = {};
  for (const [op, count] of Object.entries(after.operations)) if (count - (before.operations[op] ?? 0) > 0) operations[op] = count - (before.operations[op] ?? 0);
  return { requests: after.forwarded - before.requests, operations, readUnits: after.readUnits - before.readUnits, writeUnits: after.writeUnits - before.writeUnits };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
