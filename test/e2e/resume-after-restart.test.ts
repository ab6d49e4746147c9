import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn } from '../../local/cognito';
import { startLocalStack, type RunningLocalStack } from '../../local/stack';
import { dropTables, testDynamoDbEndpoint, uniquePrefix } from '../support/dynamo';

/**
 * Stopping `npm start` mid-saga abandons the in-memory execution. Nothing local-only brings it back: the
 * reconciler (the same one that runs on AWS every 5 minutes) finds the open order without a running
 * execution at the next start and resumes it, and the order finishes exactly once: one reservation, one
 * authorization, one capture, one of each email, the repair in its timeline.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'order-service-resume-'));
const tablePrefix = uniquePrefix('resume');
const boot = (holdSeconds: string) =>
  startLocalStack({
    dataDir,
    tablePrefix,
    dynamoDbEndpoint: testDynamoDbEndpoint(),
    ports: { api: 0, cognito: 0, stepFunctions: 0 },
    retryIntervalMs: 10,
    env: { ORDER_HOLD_SECONDS: holdSeconds, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });

let stack: RunningLocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
  await dropTables(testDynamoDbEndpoint(), tablePrefix);
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

it('an order left PAID in its hold by a stopped stack ships once after the next start', async () => {
  stack = await boot('60');
  const admin = (await signIn(stack.cognito, 'admin@example.com')).accessToken;
  const customer = (await signIn(stack.cognito, 'customer@example.com')).accessToken;
  const call = (s: RunningLocalStack, p: string, token: string, init: RequestInit = {}) =>
    fetch(`${s.apiUrl}${p}`, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  expect((await call(stack, '/admin/products', admin, { method: 'POST', body: JSON.stringify({ sku: 'RESUME-1', name: 'Resumable', price: { amount: 700, currency: 'USD' }, lowStockThreshold: 0, initialStock: 5 }) })).status).toBe(201);
  const placed = await call(stack, '/orders', customer, {
    method: 'POST',
    headers: { 'idempotency-key': 'resume-1' },
    body: JSON.stringify({ customer: { name: 'R', email: 'r@example.com' }, shippingAddress: { line1: '1 Way', city: 'Bern', postalCode: '3000', country: 'CH' }, items: [{ sku: 'RESUME-1', quantity: 2 }], payment: { paymentMethodId: 'pm_card_visa' } }),
  });
  const { id } = (await placed.json()) as { id: string };
  let status = '';
  for (let i = 0; i < 200 && status !== 'PAID'; i++) {
    status = ((await (await call(stack, `/admin/orders/${id}`, admin)).json()) as { status: string }).status;
    if (status !== 'PAID') await new Promise((r) => setTimeout(r, 50));
  }
  expect(status).toBe('PAID');
  await stack.stop(); // the execution is waiting out its 60 s hold: abandoned here
  stack = undefined;

  stack = await boot('0');
  expect(stack.repairedAtStart.repairs).toEqual({ 'workflow-resumed': 1 });
  const execution = [...stack.stepFunctions.executions.values()].find((e) => e.name === id)!;
  expect((await stack.stepFunctions.waitForExecution(execution.executionArn)).status).toBe('SUCCEEDED');
  // The shipped email follows the SHIPPED commit through the outbox.
  for (let i = 0; i < 200 && !readdirSync(path.join(dataDir, 'outbox')).some((f) => f.includes(id) && f.includes('shipped')); i++) await new Promise((r) => setTimeout(r, 25));

  const adminToken = (await signIn(stack.cognito, 'admin@example.com')).accessToken;
  const order = (await (await call(stack, `/admin/orders/${id}`, adminToken)).json()) as any;
  expect(order.status).toBe('SHIPPED');
  expect(order.timeline.map((t: { status: string }) => t.status)).toEqual(['PENDING', 'RESERVED', 'PAID', 'PAID', 'LABELLED', 'SHIPPED']);
  expect(order.timeline[3]).toMatchObject({ actor: 'reconciler', reason: expect.stringContaining('Resumed the workflow') });
  expect(order.paymentRecord).toMatchObject({ status: 'captured', amountCaptured: 1400 });
  const product = (await (await call(stack, '/admin/products/RESUME-1', adminToken)).json()) as any;
  expect(product.inventory).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
  const mails = readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.includes(id));
  expect(mails.filter((f) => f.includes('confirmation'))).toHaveLength(1);
  expect(mails.filter((f) => f.includes('shipped'))).toHaveLength(1);
});
