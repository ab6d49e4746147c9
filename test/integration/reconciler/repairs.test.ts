import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { orderStore } from '../../../functions/adapters/order-store';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { authorizeOrderPayment } from '../../../functions/payments/service';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { reserveStock } from '../../../functions/orders/service';
import { reconcile } from '../../../functions/reconciler/repairs';
import { startLocalStepFunctions, type LocalStepFunctions } from '../../../local/stepfunctions';
import { REPO_ROOT } from '../../../local/stack';
import { useIsolatedTables } from '../../support/dynamo';
import { createPendingOrder, createProduct } from '../orders/fixtures';

/**
 * The reconciler, one kind of drift at a time, against DynamoDB Local and the real ASL: each is repaired once,
 * recorded in the order's timeline (actor `reconciler`) and reported by kind; a second run finds nothing.
 */
const tables = useIsolatedTables();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reconciler-'));
Object.assign(process.env, { LOCAL_DATA_DIR: dataDir, ORDER_HOLD_SECONDS: '0', RECONCILER_STALE_SECONDS: '0' });

let sfn: LocalStepFunctions;
beforeAll(async () => {
  sfn = await startLocalStepFunctions({ rootDir: REPO_ROOT, port: 0, definitionFile: path.join(REPO_ROOT, 'statemachines', 'order-fulfillment.asl.json'), retryIntervalMs: 1 });
  process.env.SFN_ENDPOINT = sfn.endpoint;
  process.env.STATE_MACHINE_ARN = sfn.stateMachineArn;
});
afterAll(() => sfn.stop());

const settle = () => Promise.all(sfn.running().map((e) => e.done));
const reconcilerNotes = async (orderId: string) => (await orderStore.get(orderId))!.timeline.filter((t) => t.actor === 'reconciler').map((t) => t.reason);

it('a PENDING order whose workflow start was lost is started, once', async () => {
  await createProduct('REC-START', 5);
  const order = await createPendingOrder([{ sku: 'REC-START', quantity: 1 }], 'rec-1');
  const report = await reconcile();
  expect(report.repairs['workflow-started']).toBe(1);
  await settle();
  expect((await orderStore.get(order.id))!.status).toBe('SHIPPED');
  expect(await reconcilerNotes(order.id)).toEqual(['Started the workflow the order was waiting for']);
  expect((await reconcile()).repairs['workflow-started']).toBeUndefined();
});

it('an open order whose execution ended is resumed as the next run; two reconcilers claim it once', async () => {
  await createProduct('REC-RESUME', 5);
  const order = await createPendingOrder([{ sku: 'REC-RESUME', quantity: 1 }], 'rec-2');
  await reserveStock(order.id);
  // Its first execution exists and has ended (here: stopped) while the order is still RESERVED.
  const { executionArn } = (await (await fetch(sfn.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ stateMachineArn: sfn.stateMachineArn, name: order.id, input: JSON.stringify({ orderId: order.id, holdSeconds: 3600 }) }),
  })).json()) as { executionArn: string };
  for (let i = 0; i < 200 && (await orderStore.get(order.id))!.status !== 'PAID'; i++) await new Promise((r) => setTimeout(r, 10));
  sfn.executions.get(executionArn)!.abort();
  await sfn.waitForExecution(executionArn);

  const [a, b] = await Promise.all([reconcile(), reconcile()]);
  expect((a.repairs['workflow-resumed'] ?? 0) + (b.repairs['workflow-resumed'] ?? 0)).toBe(1);
  await settle();
  const after = (await orderStore.get(order.id))!;
  expect(after.workflowRun).toBe(2);
  expect(after.status).toBe('SHIPPED');
  expect([...sfn.executions.values()].filter((e) => e.name.startsWith(order.id)).map((e) => e.name).sort()).toEqual([order.id, `${order.id}-r2`]);
});

it('an authorization still held by a closed order is voided, and the order says so', async () => {
  await createProduct('REC-VOID', 5);
  const order = await createPendingOrder([{ sku: 'REC-VOID', quantity: 1 }], 'rec-3');
  await reserveStock(order.id);
  await authorizeOrderPayment((await orderStore.get(order.id))!);
  // The order was closed, but its void never happened.
  await orderStore.transition(order.id, 'FAILED', { actor: 'test', reason: 'closed without its void' }, { set: { failureReason: 'FULFILLMENT_ERROR' } });
  const report = await reconcile();
  expect(report.repairs['authorization-voided']).toBe(1);
  const payment = (await paymentStore.get(order.id))!;
  expect(payment.status).toBe('voided');
  expect((await new SandboxGateway().get(payment.intentId!))!.status).toBe('canceled');
  expect(await reconcilerNotes(order.id)).toContain('Released the card authorization still held for a closed order');
});

it('a closed order still holding stock gets it released, and a flag it caused is resolved', async () => {
  await createProduct('REC-STOCK', 5);
  const order = await createPendingOrder([{ sku: 'REC-STOCK', quantity: 2 }], 'rec-4');
  await reserveStock(order.id);
  await orderStore.transition(order.id, 'FAILED', { actor: 'step:fail-order', reason: 'declined' }, { set: { failureReason: 'PAYMENT_DECLINED', needsAttention: { reason: 'Compensation failed (InternalServerError)', since: new Date().toISOString() } } });
  const report = await reconcile();
  expect(report.repairs['stock-released']).toBe(1);
  expect(await inventoryStore.get('REC-STOCK')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  const after = (await orderStore.get(order.id))!;
  expect(after.stock).toBe('RELEASED');
  expect(after.needsAttention).toBeUndefined();
  // The same pass may also send an email that was due: the resolution is among the reconciler's entries.
  expect(after.timeline.filter((t) => t.actor === 'reconciler')).toContainEqual(expect.objectContaining({ reason: expect.stringContaining('Resolved') }));
});

it('a paid order without its confirmation email gets it, once', async () => {
  await createProduct('REC-MAIL', 5);
  const order = await createPendingOrder([{ sku: 'REC-MAIL', quantity: 1 }], 'rec-5');
  await reserveStock(order.id);
  const auth = await authorizeOrderPayment((await orderStore.get(order.id))!);
  await orderStore.transition(order.id, 'PAID', { actor: 'step:authorize-payment', reason: 'authorized' }, { from: ['RESERVED'], set: { payment: auth.payment } });
  // The execution holding this order is running (a long hold), so only the email is missing.
  await fetch(sfn.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ stateMachineArn: sfn.stateMachineArn, name: order.id, input: JSON.stringify({ orderId: order.id, holdSeconds: 3600 }) }),
  });
  // (Earlier orders of this file may get their own missing emails in the same run: look at this one.)
  await reconcile();
  expect(await reconcilerNotes(order.id)).toEqual(['Sent the confirmation email that had not gone out']);
  expect(readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.includes(`${order.id}-confirmation`))).toHaveLength(1);
  await reconcile();
  expect(await reconcilerNotes(order.id)).toHaveLength(1);
  expect(readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.includes(`${order.id}-confirmation`))).toHaveLength(1);
  for (const e of sfn.running()) e.abort();
});

it('a stored alert that was never published is published, once', async () => {
  await createProduct('REC-ALERT', 5, 3);
  const order = await createPendingOrder([{ sku: 'REC-ALERT', quantity: 2 }], 'rec-7');
  // The reservation crosses the threshold: the alert is stored; no outbox runs here to publish it.
  await reserveStock(order.id);
  const alerts = (await ddb().send(new QueryCommand({ TableName: tables.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'ALERTS' } }))).Items ?? [];
  const alert = alerts.find((a) => a.sku === 'REC-ALERT');
  expect(alert).toMatchObject({ published: false });
  const report = await reconcile();
  expect(report.repairs['alert-published']).toBe(1);
  const { Item } = await ddb().send(new GetCommand({ TableName: tables.tableName, Key: { pk: `ALERT#${alert!.id}`, sk: 'ALERT' } }));
  expect(Item).toMatchObject({ published: true, effectState: 'done' });
  expect((await reconcile()).repairs['alert-published']).toBeUndefined();
});

it('an order whose runs keep ending is handed to a person after five', async () => {
  await createProduct('REC-LOOP', 5);
  const order = await createPendingOrder([{ sku: 'REC-LOOP', quantity: 1 }], 'rec-6');
  await reserveStock(order.id);
  await ddb().send(new UpdateCommand({ TableName: tables.tableName, Key: { pk: `ORDER#${order.id}`, sk: 'ORDER' }, UpdateExpression: 'SET workflowRun = :five', ExpressionAttributeValues: { ':five': 5 } }));
  const { executionArn } = (await (await fetch(sfn.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ stateMachineArn: sfn.stateMachineArn, name: `${order.id}-r5`, input: JSON.stringify({ orderId: order.id, holdSeconds: 3600 }) }),
  })).json()) as { executionArn: string };
  // Stopped while it holds the paid order (no step in flight).
  for (let i = 0; i < 200 && (await orderStore.get(order.id))!.status !== 'PAID'; i++) await new Promise((r) => setTimeout(r, 10));
  sfn.executions.get(executionArn)!.abort();
  await sfn.waitForExecution(executionArn);
  const report = await reconcile();
  expect(report.repairs['needs-attention']).toBe(1);
  expect((await orderStore.get(order.id))!.needsAttention?.reason).toMatch(/ended ABORTED 5 times/);
});
