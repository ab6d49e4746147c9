import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { signIn } from '../../local/cognito';
import { dynamoDbAdminClient, tableName } from '../../local/dynamodb';
import { REPO_ROOT } from '../../local/stack';
import { mainTable } from '../../lib/tables';

/**
 * Black box: the real `npm start` process (local/start.ts, as the npm script runs it), its own DynamoDB Local
 * on disk, hit over HTTP by clients that retry with their Idempotency-Key, as real clients do.
 *   1. SIGKILL of the whole stack during a burst of concurrent orders, then a restart.
 *   2. A 20 s SIGSTOP of DynamoDB Local during a burst, the clients timing out and retrying meanwhile.
 * After each: one order per key (every answer for a key names the same order), every order shipped,
 * authorized and captured once, stock consistent, emails once per event. Bounded: 8 and 24 orders, 240 s.
 */
jest.setTimeout(240_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'order-service-blackbox-'));
let ports: { api: number; dynamodb: number; cognito: number; sfn: number };
let child: ChildProcess | undefined;
const log: string[] = [];

/**
 * A free port below the kernel's ephemeral range (32768+ on Linux): a port that listen(0) handed out and
 * closed can be taken by any outgoing connection (the stack's own clients, as it starts) before the stack
 * binds it, and the stack then stopped on "already in use".
 */
const taken = new Set<number>();
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) continue;
    await new Promise((resolve) => server.close(resolve));
    taken.add(port);
    return port;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const api = (p: string) => `http://127.0.0.1:${ports.api}${p}`;

async function startStack(): Promise<void> {
  const startedAt = Date.now();
  child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['local/start.ts'], {
    cwd: REPO_ROOT,
    detached: true, // its own process group: one signal reaches the stack and every child of it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
      PORT: String(ports.api),
      DYNAMODB_PORT: String(ports.dynamodb),
      COGNITO_PORT: String(ports.cognito),
      SFN_PORT: String(ports.sfn),
      LOCAL_DATA_DIR: dataDir,
      LOCAL_QUIET: '1',
      ORDER_HOLD_SECONDS: '1',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  const localJson = path.join(dataDir, 'local.json');
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${log.join('').slice(-3000)}`);
    if (existsSync(localJson) && statSync(localJson).mtimeMs >= startedAt) {
      const health = await fetch(api('/health')).catch(() => undefined);
      if (health?.status === 200) return;
    }
    await sleep(100);
  }
  throw new Error(`npm start was not ready in 120 s:\n${log.join('').slice(-3000)}`);
}

/** Every process of the stack (the group leader and its descendants). */
function descendants(pid: number): { pid: number; args: string }[] {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout.trim().split('\n');
  const all = rows.map((row) => {
    const [p, pp, ...args] = row.trim().split(/\s+/);
    return { pid: Number(p), ppid: Number(pp), args: args.join(' ') };
  });
  const found: { pid: number; args: string }[] = [];
  const visit = (parent: number) => {
    for (const proc of all.filter((p) => p.ppid === parent)) {
      found.push(proc);
      visit(proc.pid);
    }
  };
  visit(pid);
  return found;
}

async function killStack(): Promise<void> {
  const pid = child!.pid!;
  const all = [pid, ...descendants(pid).map((p) => p.pid)];
  process.kill(-pid, 'SIGKILL');
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await new Promise((resolve) => (child!.exitCode !== null || child!.signalCode ? resolve(undefined) : child!.once('exit', resolve)));
  child = undefined;
  // Ports free again before the restart.
  for (let i = 0; i < 100; i++) {
    const busy = await Promise.all([ports.api, ports.dynamodb, ports.cognito, ports.sfn].map((port) => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)));
    if (!busy.some(Boolean)) return;
    await sleep(100);
  }
}

async function tokens() {
  const cognito = JSON.parse(readFileSync(path.join(dataDir, 'local.json'), 'utf8')).cognito;
  return {
    admin: (await signIn(cognito, 'admin@example.com')).accessToken,
    customer: (await signIn(cognito, 'customer@example.com')).accessToken,
  };
}

const body = (sku: string, n: number) =>
  JSON.stringify({
    customer: { name: `Client ${n}`, email: `client${n}@example.com` },
    shippingAddress: { line1: `${n} Retry Road`, city: 'Lyon', postalCode: '69001', country: 'FR' },
    items: [{ sku, quantity: 2 }],
    payment: { paymentMethodId: 'pm_card_visa' },
  });

/** One client: POST with its key until a 202, each attempt abandoned after `timeoutMs`; every 202's id kept. */
async function client(token: () => string, sku: string, n: number, key: string, answers: Map<string, Set<string>>, timeoutMs = 4000, attempts = 40) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const res = await fetch(api('/orders'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: body(sku, n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status === 202) {
        const { id } = (await res.json()) as { id: string };
        answers.set(key, (answers.get(key) ?? new Set()).add(id));
        return;
      }
      expect(res.status).toBeGreaterThanOrEqual(500); // never a 4xx for a retry of a valid request
    } catch {
      // timeout or dropped connection: retry with the same key
    }
    await sleep(250);
  }
}

async function tableItems(): Promise<Record<string, unknown>[]> {
  const ddb = dynamoDbAdminClient(`http://127.0.0.1:${ports.dynamodb}`);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  try {
    do {
      const page = await ddb.send(new ScanCommand({ TableName: tableName(mainTable), ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
  } finally {
    ddb.destroy();
  }
  return items;
}

async function createProduct(adminToken: string, sku: string, stock: number) {
  const res = await fetch(api('/admin/products'), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sku, name: `Black box ${sku}`, price: { amount: 1500, currency: 'EUR' }, lowStockThreshold: 0, initialStock: stock }),
  });
  expect(res.status).toBe(201);
}

/** Waits until every order of the SKU is SHIPPED, then checks every invariant. */
async function expectExactlyOnce(sku: string, keys: string[], answers: Map<string, Set<string>>, stock: number) {
  for (const key of keys) expect({ key, ids: answers.get(key)?.size }).toEqual({ key, ids: 1 });
  const ids = new Set(keys.map((k) => [...answers.get(k)!][0]!));
  expect(ids.size).toBe(keys.length);
  let orders: Record<string, unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    orders = (await tableItems()).filter((item) => item.entity === 'ORDER' && (item.items as { sku: string }[]).some((l) => l.sku === sku));
    if (orders.length >= keys.length && orders.every((o) => o.status === 'SHIPPED')) break;
    await sleep(500);
  }
  const items = await tableItems();
  expect(orders.map((o) => o.id).sort()).toEqual([...ids].sort());
  expect(orders.map((o) => o.status)).toEqual(keys.map(() => 'SHIPPED'));
  for (const order of orders) {
    const intents = items.filter((i) => i.entity === 'SANDBOX_INTENT' && i.orderId === order.id);
    const events = intents.flatMap((i) => i.events as { type: string }[]);
    expect({ order: order.id, authorized: events.filter((e) => e.type === 'authorized').length, captured: events.filter((e) => e.type === 'captured').length }).toEqual({ order: order.id, authorized: 1, captured: 1 });
  }
  const inventory = items.find((i) => i.entity === 'INVENTORY' && i.sku === sku)!;
  expect(inventory).toMatchObject({ onHand: stock - 2 * keys.length, reserved: 0, available: stock - 2 * keys.length });
  // One confirmation and one shipped email per order, from the outbox. A kill can land in the few ms between
  // the mail sink accepting an email and its mark being written: that one window may repeat an email once.
  const outbox = () => readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
  const everyEmail = () => orders.every((o) => ['confirmation', 'shipped'].every((k) => outbox().some((f) => f.includes(`${o.id}-${k}`))));
  for (let i = 0; i < 60 && !everyEmail(); i++) await sleep(500);
  const mails = outbox();
  for (const order of orders) {
    for (const kind of ['confirmation', 'shipped']) {
      const count = mails.filter((f) => f.includes(`${order.id}-${kind}`)).length;
      expect({ order: order.id, kind, once: count >= 1 && count <= 2 }).toEqual({ order: order.id, kind, once: true });
    }
  }
  const repeated = orders.flatMap((o) => ['confirmation', 'shipped'].filter((k) => mails.filter((f) => f.includes(`${o.id}-${k}`)).length > 1));
  if (repeated.length) console.warn(`black box: ${repeated.length} email(s) repeated by a kill inside the send-to-mark window`);
}

beforeAll(async () => {
  ports = { api: await freePort(), dynamodb: await freePort(), cognito: await freePort(), sfn: await freePort() };
  await startStack();
}, 180_000);

afterAll(async () => {
  if (child) await killStack();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it('SIGKILL of the whole stack during a burst: after a restart and client retries, each key has one order, shipped once', async () => {
  let { admin, customer } = await tokens();
  await createProduct(admin, 'BB-KILL', 100);
  const keys = Array.from({ length: 8 }, (_, i) => `bb-kill-${i}`);
  const answers = new Map<string, Set<string>>();
  // The burst, and the kill 150 ms into it (the clients' connections drop with it).
  const burst = Promise.all(keys.map((key, i) => client(() => customer, 'BB-KILL', i, key, answers, 4000, 1)));
  await sleep(150);
  await killStack();
  await burst;

  await startStack();
  ({ customer } = await tokens());
  await Promise.all(keys.map((key, i) => client(() => customer, 'BB-KILL', i, key, answers)));
  await expectExactlyOnce('BB-KILL', keys, answers, 100);
});

it('a 20 s stall of DynamoDB Local during a burst: clients time out and retry, still one order per key, shipped once', async () => {
  const { admin, customer } = await tokens();
  await createProduct(admin, 'BB-STALL', 200);
  const java = descendants(child!.pid!).find((p) => /DynamoDBLocal/.test(p.args));
  expect(java).toBeDefined();
  const keys = Array.from({ length: 24 }, (_, i) => `bb-stall-${i}`);
  const answers = new Map<string, Set<string>>();
  const burst = Promise.all(keys.map((key, i) => client(() => customer, 'BB-STALL', i, key, answers, 3000, 80)));
  await sleep(100);
  process.kill(java!.pid, 'SIGSTOP');
  try {
    await sleep(20_000);
  } finally {
    process.kill(java!.pid, 'SIGCONT');
  }
  await burst;
  await expectExactlyOnce('BB-STALL', keys, answers, 200);
});
