import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Order } from '../../../functions/domain/order';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { keys } from '../../../functions/adapters/keys';
import { orderStore } from '../../../functions/adapters/order-store';
import { deliveryStore, type Delivery } from '../../../functions/adapters/event-store';
import { createSubscription } from '../../../functions/webhooks/service';
import { sweep } from '../../../functions/webhooks/dispatcher';
import { handler as outboxConsumer } from '../../../functions/stream/outbox-consumer';
import { reconcile } from '../../../functions/reconciler/repairs';
import { startStreamPoller, type StreamPoller } from '../../../local/stream-poller';
import { lambdaContext } from '../../../local/lambda-context';
import { useIsolatedTables } from '../../support/dynamo';
import { startReceiver } from './receiver';

/**
 * Events are not written in the state change's transaction: the outbox consumer derives them from the
 * table's change stream. A stream record that keeps failing is dead-lettered after its retries (the SQS
 * on-failure destination on AWS; local/stream-poller.ts here) and its event would be lost for good. Here
 * the real consumer, fed by the real local poller from DynamoDB Local's stream, dead-letters the record of
 * the order's PAID transition; the reconciler then records order.paid (once, with the next sequence) and the
 * subscriber on 127.0.0.1 gets every event exactly once, in sequence order.
 */
const tables = useIsolatedTables();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lost-events-'));
Object.assign(process.env, {
  LOCAL_DATA_DIR: dataDir,
  WEBHOOK_TARGETS: 'any',
  WEBHOOK_RETRY_BASE_MS: '40',
  WEBHOOK_RETRY_MAX_MS: '160',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_LEASE_MARGIN_MS: '300',
  // The reconciler checks an order's events as soon as the change is settled (15 min by default).
  RECONCILER_EVENT_SECONDS: '0',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let receiver: Receiver;
let poller: StreamPoller | undefined;
/** Which stream record fails every time (the poller dead-letters it after its retries). */
let poison: (r: DynamoDBRecord) => boolean = () => false;
let deadLetters = 0;
const poisoned: DynamoDBRecord[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await poller?.stop();
  await receiver.stop();
});

const isPaidTransition = (r: DynamoDBRecord) => r.dynamodb?.NewImage?.entity?.S === 'ORDER' && r.dynamodb.NewImage.status?.S === 'PAID' && r.dynamodb.OldImage?.status?.S !== 'PAID';

async function deliveriesOf(subscriptionId: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let lastKey: Record<string, unknown> | undefined;
  do {
    const page = await deliveryStore.list(subscriptionId, 100, lastKey);
    out.push(...page.items);
    lastKey = page.lastKey;
  } while (lastKey);
  return out;
}

async function until(done: () => Promise<boolean> | boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sweep();
    await sleep(20);
  }
}

it('an event whose stream record was dead-lettered is recorded by the reconciler and delivered exactly once, in sequence order', async () => {
  const { subscription } = await createSubscription({ url: receiver.url('/lost'), events: ['*'] });
  const deadLetterFile = path.join(dataDir, 'dead-letters.log');
  poison = isPaidTransition;
  let handled = 0;
  // The real outbox consumer, except that the PAID transition's record fails every time (a poison record).
  const consumer = async (event: DynamoDBStreamEvent, context: Context) => {
    const at = event.Records.findIndex((r) => poison(r));
    const records = at === -1 ? event.Records : event.Records.slice(0, at);
    const out = records.length ? await outboxConsumer({ Records: records }, context) : { batchItemFailures: [] };
    handled += records.length;
    if (out?.batchItemFailures.length || at === -1) return out;
    poisoned.push(event.Records[at]!);
    return { batchItemFailures: [{ itemIdentifier: event.Records[at]!.dynamodb!.SequenceNumber! }] };
  };
  poller = await startStreamPoller({
    endpoint: tables.endpoint,
    tableName: tables.tableName,
    handler: (event) => consumer(event, lambdaContext('outbox-consumer')),
    deadLetterFile,
    intervalMs: 5,
    retryDelayMs: 5,
    maxRetries: 2,
    onDeadLetter: () => deadLetters++,
  });

  // The order's life as committed: placed (RESERVED), paid, labelled, cancelled by an admin.
  const now = new Date().toISOString();
  const order: Order = {
    id: 'lost-1',
    number: 1001,
    userId: 'user-1',
    status: 'RESERVED',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } }],
    total: { amount: 1000, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: 'NONE',
    timeline: [{ at: now, status: 'RESERVED', actor: 'test', reason: 'placed' }],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await orderStore.create(order);
  await orderStore.transition(order.id, 'PAID', { actor: 'test', reason: 'authorized' });
  await orderStore.transition(order.id, 'LABELLED', { actor: 'test', reason: 'label bought' });
  await orderStore.transition(order.id, 'CANCELLED', { actor: 'admin:test', reason: 'customer called' });

  // The poller gives up on the PAID record and moves on: placed and cancelled are recorded and delivered.
  await until(() => deadLetters === 1 && handled >= 4, 'the dead letter and the later records');
  await until(async () => (await deliveriesOf(subscription.id)).filter((d) => d.state === 'delivered').length === 2, 'two deliveries');
  expect(receiver.acked().map((r) => JSON.parse(r.body).type)).toEqual(['order.placed', 'order.cancelled']);
  expect(existsSync(deadLetterFile)).toBe(true);
  expect(readFileSync(deadLetterFile, 'utf8').trim().split('\n')).toHaveLength(1);

  // The reconciler finds order.paid missing and records it, with the next sequence; its delivery follows.
  const report = await reconcile({ staleSeconds: 0 });
  expect(report.repairs['event-recorded']).toBe(1);
  expect((await orderStore.get(order.id))!.timeline.at(-1)).toMatchObject({ actor: 'reconciler', reason: 'Recorded the order.paid event the outbox had not recorded' });
  await until(async () => (await deliveriesOf(subscription.id)).filter((d) => d.state === 'delivered').length === 3, 'the repaired delivery');

  // A second run finds nothing missing; the dead-lettered record, retried after all, records nothing more.
  expect((await reconcile({ staleSeconds: 0 })).repairs['event-recorded']).toBeUndefined();
  const late = await outboxConsumer({ Records: poisoned.slice(0, 1) }, lambdaContext('outbox-consumer'));
  expect(late?.batchItemFailures).toEqual([]);
  await until(() => poller!.drain().then(() => true), 'the stream');
  await sweep();

  const bodies = receiver.received.map((r) => JSON.parse(r.body) as { id: string; type: string; sequence: number; orderId: string; data: { status: string } });
  expect(bodies.map((b) => [b.sequence, b.type])).toEqual([[1, 'order.placed'], [2, 'order.cancelled'], [3, 'order.paid']]);
  expect(new Set(bodies.map((b) => b.id)).size).toBe(3);
  expect(bodies[2]!.data.status).toBe('PAID');
  expect(await deliveriesOf(subscription.id)).toHaveLength(3);
}, 90_000);

it('a refund whose payment record change was dead-lettered gets its order.refunded, once, after the order\'s earlier events', async () => {
  const { subscription } = await createSubscription({ url: receiver.url('/refunds'), events: ['*'] });
  const now = new Date().toISOString();
  const orderId = 'lost-2';
  poison = (r) => r.dynamodb?.NewImage?.entity?.S === 'PAYMENT' && (r.dynamodb.NewImage.refunds?.L?.length ?? 0) > (r.dynamodb.OldImage?.refunds?.L?.length ?? 0);
  const before = deadLetters;
  await orderStore.create({
    id: orderId, number: 1002, userId: 'user-1', status: 'DELIVERED', customer: { name: 'Ada', email: 'ada@example.com' },
    shippingAddress: { line1: '1 Way', city: 'London', postalCode: 'N1', country: 'GB' },
    items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } }],
    total: { amount: 1000, currency: 'USD' }, paymentMethodId: 'pm_card_visa', stock: 'NONE',
    timeline: [{ at: now, status: 'DELIVERED', actor: 'test', reason: 'imported' }], createdAt: now, updatedAt: now, version: 1,
  });
  const payment = { ...keys.payment(orderId), entity: 'PAYMENT', orderId, provider: 'sandbox', status: 'captured', amount: 1000, amountCaptured: 1000, amountRefunded: 0, currency: 'USD', refunds: [], timeline: [], createdAt: now, updatedAt: now, version: 1 };
  await ddb().send(new PutCommand({ TableName: tables.tableName, Item: payment }));
  // The refund: the payment record gains it and the order's summary its amount, as the refund path writes them.
  const refund = { sequence: 1, amount: 400, at: new Date().toISOString(), actor: 'admin:test' };
  await ddb().send(new PutCommand({ TableName: tables.tableName, Item: { ...payment, status: 'partially_refunded', amountRefunded: 400, refunds: [refund], version: 2 } }));
  await ddb().send(new UpdateCommand({ TableName: tables.tableName, Key: keys.order(orderId), UpdateExpression: 'SET payment = :p', ExpressionAttributeValues: { ':p': { provider: 'sandbox', status: 'partially_refunded', amount: { amount: 1000, currency: 'USD' }, amountRefunded: 400 } } }));

  await until(() => deadLetters === before + 1, 'the refund record dead-lettered');
  await until(async () => (await deliveriesOf(subscription.id)).filter((d) => d.state === 'delivered').length === 1, 'order.placed delivered');
  const report = await reconcile({ staleSeconds: 0 });
  expect(report.repairs['event-recorded']).toBe(1);
  await until(async () => (await deliveriesOf(subscription.id)).filter((d) => d.state === 'delivered').length === 2, 'the repaired refund delivered');
  expect((await reconcile({ staleSeconds: 0 })).repairs['event-recorded']).toBeUndefined();
  // The dead-lettered record, retried after all, adds nothing.
  expect((await outboxConsumer({ Records: poisoned.slice(-1) }, lambdaContext('outbox-consumer')))?.batchItemFailures).toEqual([]);
  await sweep();

  const bodies = receiver.received.filter((r) => r.path === '/refunds').map((r) => JSON.parse(r.body) as { type: string; sequence: number; orderId: string; data: { refund?: { amount: unknown } } });
  expect(bodies.map((b) => [b.orderId, b.sequence, b.type])).toEqual([[orderId, 1, 'order.placed'], [orderId, 2, 'order.refunded']]);
  expect(bodies[1]!.data.refund).toEqual({ sequence: 1, amount: { amount: 400, currency: 'USD' } });
}, 90_000);

it('a low-stock alert whose stream record was dead-lettered gets its inventory.low_stock, once', async () => {
  const { subscription } = await createSubscription({ url: receiver.url('/alerts'), events: ['inventory.low_stock'] });
  poison = (r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.entity?.S === 'ALERT';
  const before = deadLetters;
  const createdAt = new Date().toISOString();
  const id = 'alert-lost-1';
  // As checkLowStock stores it (already published to SNS, so only its integration event is missing).
  await ddb().send(new PutCommand({
    TableName: tables.tableName,
    Item: { ...keys.alert(id), entity: 'ALERT', gsi1pk: 'ALERTS', gsi1sk: `${createdAt}#${id}`, id, sku: 'SKU-LOW', name: 'Low', available: 2, threshold: 3, daysOfCover: 1.5, createdAt, published: true },
  }));
  await until(() => deadLetters === before + 1, 'the alert record dead-lettered');
  expect(await deliveriesOf(subscription.id)).toHaveLength(0);

  const report = await reconcile({ staleSeconds: 0 });
  expect(report.repairs['event-recorded']).toBe(1);
  await until(async () => (await deliveriesOf(subscription.id)).filter((d) => d.state === 'delivered').length === 1, 'the repaired alert event delivered');
  expect((await reconcile({ staleSeconds: 0 })).repairs['event-recorded']).toBeUndefined();
  // The dead-lettered record, retried after all, adds nothing.
  expect((await outboxConsumer({ Records: poisoned.slice(-1) }, lambdaContext('outbox-consumer')))?.batchItemFailures).toEqual([]);
  await sweep();

  const bodies = receiver.received.filter((r) => r.path === '/alerts').map((r) => JSON.parse(r.body) as { type: string; sequence: number; data: Record<string, unknown> });
  expect(bodies.map((b) => [b.type, b.sequence])).toEqual([['inventory.low_stock', 1]]);
  expect(bodies[0]!.data).toEqual({ sku: 'SKU-LOW', available: 2, threshold: 3, daysOfCover: 1.5 });
}, 90_000);
