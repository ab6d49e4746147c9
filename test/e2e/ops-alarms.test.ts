import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';
import type { PaymentGateway } from '../../functions/payments/gateway';

/**
 * What would alarm on AWS lands in .data/ops/alarms.log and on the admin dashboard's route: here a forced
 * fault in the ship step (capture keeps failing) whose compensation then fails too (the void keeps failing),
 * run through the real ASL by the local Step Functions.
 */
const local = useLocalStack();

// Required once the stack has set the handlers' environment (log level): importing them at the top would
// create the Powertools instances before it.
const payments = () => require('../../functions/payments/service') as typeof import('../../functions/payments/service');

/** The sandbox, except that capture and void always fail with a fault (not a business outcome). */
function brokenGateway(): PaymentGateway {
  const { SandboxGateway } = require('../../functions/adapters/payments/sandbox-gateway') as typeof import('../../functions/adapters/payments/sandbox-gateway');
  return new (class extends SandboxGateway {
    override async capture(): Promise<never> {
      throw new Error('capture failed at the provider');
    }
    override async cancel(): Promise<never> {
      throw new Error('void failed at the provider');
    }
  })();
}

afterAll(() => payments().usePaymentGateway(undefined));

const alarmsLog = () => path.join(local.stack.dataDir, 'ops', 'alarms.log');
const logLines = () => (existsSync(alarmsLog()) ? readFileSync(alarmsLog(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

test('a forced compensation failure alarms: alarms.log and GET /admin/ops/alarms show it, without personal data', async () => {
  const before = await (await local.api('/admin/ops/alarms', { as: 'admin' })).json();
  expect(before).toEqual({ source: 'local', items: [], nextCursor: null });

  const created = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: `OPS-${process.pid}`, name: 'Ops product', price: { amount: 1000, currency: 'USD' }, lowStockThreshold: 0, initialStock: 5 }),
  });
  expect(created.status).toBe(201);

  payments().usePaymentGateway(brokenGateway());
  const placed = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `ops-${process.pid}` },
    body: JSON.stringify({
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' },
      shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      items: [{ sku: `OPS-${process.pid}`, quantity: 1 }],
      payment: { paymentMethodId: 'pm_card_visa' },
    }),
  });
  expect(placed.status).toBe(202);
  const order = (await placed.json()) as { id: string };
  const execution = await local.waitForExecution(order.id);
  // The void compensation gave up after its retries: the order needs attention.
  const view = (await (await local.api(`/admin/orders/${order.id}`, { as: 'admin' })).json()) as { needsAttention?: { reason: string } };
  expect(view.needsAttention?.reason).toMatch(/Compensation failed/);

  // The outbox consumer (fed by the local stream poller) counts CompensationFailures once it sees the flag.
  const deadline = Date.now() + 30_000;
  while (!logLines().some((l) => l.alarm === 'CompensationFailures') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const alarms = logLines();
  const fired = alarms.map((l) => l.alarm);
  expect(fired).toContain('CompensationFailures');
  // The ship step's and the void's faults, retried by the state machine; and the execution that ended in
  // CompensationFailed.
  expect(fired).toContain('StepFaults');
  expect(execution.status).toBe('FAILED');
  expect(fired).toContain('ExecutionFaults');
  for (const line of alarms) {
    expect(Object.keys(line).sort()).toEqual(['alarm', 'at', 'reason']);
    expect(Number.isNaN(Date.parse(line.at))).toBe(false);
  }
  const text = readFileSync(alarmsLog(), 'utf8');
  for (const personal of ['Ada', 'Lovelace', 'ada@example.com', '7946', 'Analytical', 'N1 9GU']) expect(text).not.toContain(personal);

  // The admin dashboard reads the same through the API, newest first.
  const res = await local.api('/admin/ops/alarms', { as: 'admin' });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const listed = (await res.json()) as { source: string; items: { alarm: string; state: string; reason: string; at: string }[] };
  expect(listed.source).toBe('local');
  expect(listed.items.map((i) => i.alarm)).toEqual([...fired].reverse());
  expect(listed.items.every((i) => i.state === 'ALARM')).toBe(true);

  // Admins only.
  expect((await local.api('/admin/ops/alarms', { as: 'customer' })).status).toBe(403);
  expect((await local.api('/admin/ops/alarms?limit=0', { as: 'admin' })).status).toBe(400);
});
