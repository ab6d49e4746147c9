import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Order, OrderStatus } from '../../../functions/domain/order';
import { orderStore } from '../../../functions/adapters/order-store';
import { deliveryStore, eventStore, type Delivery } from '../../../functions/adapters/event-store';
import { subscriptionStore } from '../../../functions/adapters/webhook-store';
import { orderEvents } from '../../../functions/webhooks/events';
import { createSubscription, recordEvent, replay, rotateSecret, updateSubscription } from '../../../functions/webhooks/service';
import { sweep, transport } from '../../../functions/webhooks/dispatcher';
import { handler as dispatcherHandler } from '../../../functions/webhooks/handler';
import { installLocalAlarms } from '../../../local/ops-alarms';
import { lambdaContext } from '../../../local/lambda-context';
import { useIsolatedTables } from '../../support/dynamo';
import { loadDocSnippet } from '../../support/doc-snippet';
import { startReceiver, type Received } from './receiver';

/**
 * Webhook delivery against DynamoDB Local and a real receiver on 127.0.0.1 that fails, times out and
 * recovers: every event delivered at least once and acknowledged once, per-order order kept, signatures
 * verified with the recipe docs/webhooks.md publishes, replay re-delivers exactly the chosen events, a crash
 * at any point of an attempt loses nothing, and a delivery that gives up marks the subscription failing and
 * raises the ops alarm. The retry schedule is shrunk to milliseconds.
 */
useIsolatedTables();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webhooks-'));
Object.assign(process.env, {
  LOCAL_DATA_DIR: dataDir,
  WEBHOOK_TARGETS: 'any',
  WEBHOOK_RETRY_BASE_MS: '40',
  WEBHOOK_RETRY_MAX_MS: '160',
  // Long enough that a loaded machine's 200 is not taken for a timeout (which would rightly send it again).
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_LEASE_MARGIN_MS: '300',
});

const { verifyWebhook } = loadDocSnippet<{ verifyWebhook: (raw: string, header: string, secret: string, tolerance?: number) => boolean }>('docs/webhooks.md', 'verify-webhook');

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.stop());

const order = (id: string, status: OrderStatus, version: number, at: string, extra: Partial<Order> = {}): Order => ({
  id,
  number: 1000 + version,
  userId: 'user-1',
  status,
  customer: { name: 'Ada Lovelace', email: `ada-${id}@example.com` },
  shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
  items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } }],
  total: { amount: 1000, currency: 'USD' },
  paymentMethodId: 'pm_card_visa',
  stock: 'NONE',
  timeline: [],
  createdAt: at,
  updatedAt: at,
  version,
  ...extra,
});

/** An order's life as committed changes: placed, paid, shipped, delivered. Returns its events, in commit order. */
async function lifeOf(id: string, day: string) {
  const at = (h: number) => `2026-${day}T1${h}:00:00.000Z`;
  const shipment = { trackingNumber: `RR${id.length}1234567GB`, trackingUrl: 'https://t.example/1', carrier: 'self', service: 'standard', shippedAt: at(3) };
  const steps: Order[] = [
    order(id, 'RESERVED', 1, at(0)),
    order(id, 'PAID', 2, at(1)),
    order(id, 'LABELLED', 3, at(2)),
    order(id, 'SHIPPED', 4, at(3), { shipment }),
    order(id, 'DELIVERED', 5, at(4), { shipment: { ...shipment, deliveredAt: at(4) } }),
  ];
  await orderStore.create(steps.at(-1)!); // the contact scope reads the order as it is now
  return steps.flatMap((after, i) => orderEvents(steps[i - 1], after));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function sweepUntil(done: () => Promise<boolean>, ms = 45_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error('deliveries did not settle');
    await sweep();
    await sleep(15);
  }
}
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
const settled = (id: string, count: number) => async () => {
  const list = await deliveriesOf(id);
  return list.length === count && list.every((d) => d.state !== 'pending');
};
const bodyOf = (r: Received) => JSON.parse(r.body) as { id: string; type: string; orderId?: string; sequence: number; data: Record<string, unknown> };

/** For every request of an order's event n > 1, the subscriber had already acknowledged event n - 1 of it. */
function expectPerOrderOrder(requests: Received[], ackedBefore: (r: Received) => Received[]) {
  for (const r of requests) {
    const event = bodyOf(r);
    const earlier = ackedBefore(r).map(bodyOf).filter((e) => e.orderId === event.orderId && e.sequence < event.sequence);
    const missing = requests.map(bodyOf).filter((e) => e.orderId === event.orderId && e.sequence < event.sequence && !earlier.some((x) => x.sequence === e.sequence));
    expect({ event: `${event.orderId}#${event.sequence}`, waitedFor: missing.map((e) => e.sequence) }).toEqual({ event: `${event.orderId}#${event.sequence}`, waitedFor: [] });
  }
}

let subscriptions: string[] = [];
afterEach(async () => {
  // Each test's subscriptions stop receiving: the next test's events go to its own only.
  for (const id of subscriptions) await updateSubscription(id, { active: false }).catch(() => undefined);
  subscriptions = [];
  receiver.state.decide = () => 'ok';
  jest.restoreAllMocks();
});

it('a receiver that fails, times out and recovers gets every event, acknowledged once, in order per order, verifiably signed', async () => {
  const all = await createSubscription({ url: receiver.url('/all'), events: ['*'] });
  const paid = await createSubscription({ url: receiver.url('/paid'), events: ['order.paid'], scope: 'contact' });
  subscriptions.push(all.subscription.id, paid.subscription.id);

  const lives = await Promise.all([lifeOf('order-a', '01-01'), lifeOf('order-b', '01-02'), lifeOf('order-c', '01-03')]);
  const paidOfA = lives[0]!.find((e) => e.type === 'order.paid')!.id;
  const shippedOfB = lives[1]!.find((e) => e.type === 'order.shipped')!.id;
  // An outage for everything at first, then one event that fails and then hangs past the timeout, one that hangs.
  const outageUntil = Date.now() + 300;
  receiver.state.decide = (id, nth) => {
    if (Date.now() < outageUntil) return 'fail';
    if (id === paidOfA) return nth <= 2 ? 'fail' : nth === 3 ? 'hang' : 'ok';
    if (id === shippedOfB && nth <= 1) return 'hang';
    return 'ok';
  };
  // Committed in interleaved order, as concurrent orders are.
  for (let i = 0; i < 4; i++) for (const life of lives) expect(await recordEvent(life[i]!)).toBe('done');
  // The outbox may hand the same change over again: no second event.
  expect(await recordEvent(lives[0]![0]!)).toBe('skipped');

  await sweepUntil(async () => (await settled(all.subscription.id, 12)()) && (await settled(paid.subscription.id, 3)()));

  const toAll = receiver.received.filter((r) => r.path === '/all');
  const toPaid = receiver.received.filter((r) => r.path === '/paid');
  const ids = lives.flat().map((e) => e.id);
  // At least once: every event reached its subscriber; acknowledged once: one 200 per (subscription, event).
  expect(new Set(toAll.map((r) => r.id))).toEqual(new Set(ids));
  for (const id of ids) expect(toAll.filter((r) => r.id === id && r.answer === 'ok')).toHaveLength(1);
  expect(new Set(toPaid.filter((r) => r.answer === 'ok').map((r) => r.id))).toEqual(new Set(lives.map((l) => l.find((e) => e.type === 'order.paid')!.id)));
  expect(toAll.filter((r) => r.id === paidOfA).map((r) => r.answer)).toEqual(expect.arrayContaining(['fail', 'fail', 'hang', 'ok']));
  expect(toAll.filter((r) => r.id === shippedOfB).map((r) => r.answer)).toEqual(['hang', 'ok']);

  // Sequence per order: 1, 2, 3, 4, gapless; a later event never went out before the earlier one's 2xx.
  for (const life of lives) {
    const seqs = toAll.filter((r) => r.answer === 'ok' && bodyOf(r).orderId === life[0]!.orderId).map((r) => bodyOf(r).sequence);
    expect(seqs).toEqual([1, 2, 3, 4]);
  }
  expectPerOrderOrder(toAll, (r) => toAll.filter((x) => x.answer === 'ok' && x.at <= r.at));

  // Signatures: the documented recipe accepts every delivery with its subscription's secret, nothing else.
  for (const r of toAll) expect(verifyWebhook(r.body, r.signature, all.secret)).toBe(true);
  for (const r of toPaid) expect(verifyWebhook(r.body, r.signature, paid.secret)).toBe(true);
  expect(verifyWebhook(toAll[0]!.body.replace('"sequence":', '"sequence": '), toAll[0]!.signature, all.secret)).toBe(false);
  expect(verifyWebhook(toAll[0]!.body, toAll[0]!.signature, paid.secret)).toBe(false);

  // Scopes: basic carries no personal data; contact adds the customer and address from the order.
  expect(toAll.some((r) => r.body.includes('@example.com') || r.body.includes('Analytical'))).toBe(false);
  expect(bodyOf(toPaid[0]!).data).toMatchObject({ customer: { name: 'Ada Lovelace' }, shippingAddress: { city: 'London' } });
  expect(bodyOf(toAll[0]!)).toEqual({ id: expect.stringMatching(/^evt_/), type: expect.any(String), createdAt: expect.any(String), orderId: expect.any(String), sequence: expect.any(Number), data: expect.any(Object) });

  // The delivery log: each delivery delivered after its attempts, one 2xx each, latency and errors recorded.
  const log = await deliveriesOf(all.subscription.id);
  for (const d of log) {
    expect(d.state).toBe('delivered');
    expect(d.attempts.filter((a) => a.status === 200)).toHaveLength(1);
    expect(d.attempts.at(-1)).toMatchObject({ status: 200, latencyMs: expect.any(Number) });
  }
  expect(log.find((d) => d.eventId === paidOfA)!.attempts.map((a) => a.error ?? a.status)).toEqual(expect.arrayContaining(['http-500', 'timeout', 200]));
}, 90_000);

it('replay re-delivers exactly the chosen events, by id or by time range', async () => {
  const sub = await createSubscription({ url: receiver.url('/replay'), events: ['*'] });
  subscriptions.push(sub.subscription.id);
  const lives = [await lifeOf('order-r1', '02-01'), await lifeOf('order-r2', '02-02')];
  for (const life of lives) for (const e of life) await recordEvent(e);
  await sweepUntil(settled(sub.subscription.id, 8));
  const sent = receiver.received.length;

  const chosen = [lives[0]![1]!.id, lives[1]![3]!.id];
  const byId = await replay(sub.subscription.id, { eventIds: chosen });
  expect(byId.events.sort()).toEqual([...chosen].sort());
  await sweepUntil(settled(sub.subscription.id, 10));
  const again = receiver.received.slice(sent);
  expect(again.map((r) => r.id).sort()).toEqual([...chosen].sort());
  for (const r of again) expect(verifyWebhook(r.body, r.signature, sub.secret)).toBe(true);

  // A time range: the second order's day only.
  const byRange = await replay(sub.subscription.id, { from: '2026-02-02T00:00:00.000Z', to: '2026-02-02T23:59:59.999Z' });
  expect(byRange.events.sort()).toEqual(lives[1]!.map((e) => e.id).sort());
  await sweepUntil(settled(sub.subscription.id, 14));
  expect(receiver.received.slice(sent + 2).map((r) => r.id).sort()).toEqual(lives[1]!.map((e) => e.id).sort());
  // Unknown ids change nothing.
  await expect(replay(sub.subscription.id, { eventIds: ['evt_nope'] })).rejects.toMatchObject({ status: 400 });
  expect((await deliveriesOf(sub.subscription.id)).length).toBe(14);
}, 60_000);

it('a crash before the attempt, after it, or after the log write loses nothing; a logged 2xx is never sent again', async () => {
  const realPost = transport.post;
  const realRecord = deliveryStore.recordAttempt;
  const sub = await createSubscription({ url: receiver.url('/crash'), events: ['*'] });
  subscriptions.push(sub.subscription.id);
  const life = await lifeOf('order-crash', '03-01');
  for (const e of life) await recordEvent(e);
  const crash = () => new Error('process died');

  // 1. Dies after taking the lease, before sending (event 1): sent once, after the lease expired.
  jest.spyOn(transport, 'post').mockImplementationOnce(async () => {
    throw crash();
  });
  // 2. Dies after the subscriber's 2xx, before the log write (event 2): sent again, same Webhook-Id.
  jest.spyOn(deliveryStore, 'recordAttempt')
    .mockImplementationOnce(realRecord) // event 1's success
    .mockImplementationOnce(async () => {
      throw crash();
    })
    // 3. Dies right after logging event 3's 2xx, before waking event 4: event 3 is never sent again.
    .mockImplementationOnce(realRecord)
    .mockImplementationOnce(async (...args) => {
      await realRecord(...args);
      throw crash();
    });

  await sweepUntil(settled(sub.subscription.id, 4));
  const got = receiver.received.filter((r) => r.path === '/crash');
  const count = (i: number) => got.filter((r) => r.id === life[i]!.id).length;
  expect([count(0), count(1), count(2), count(3)]).toEqual([1, 2, 1, 1]);
  expect(got.filter((r) => r.id === life[1]!.id).map((r) => r.body)).toEqual([got.find((r) => r.id === life[1]!.id)!.body, expect.any(String)]);
  // Order per order held through the crashes, and every delivery ended delivered with one logged 2xx.
  expect(got.map((r) => bodyOf(r).sequence)).toEqual([1, 2, 2, 3, 4]);
  for (const d of await deliveriesOf(sub.subscription.id)) {
    expect(d.state).toBe('delivered');
    expect(d.attempts.filter((a) => a.status === 200)).toHaveLength(1);
  }
  // Sweeping on sends nothing more.
  for (let i = 0; i < 5; i++) await sweep();
  expect(receiver.received.filter((r) => r.path === '/crash')).toHaveLength(5);
  expect(realPost).toBeDefined();
}, 60_000);

it('a rotated secret signs beside the new one during its grace period, then stops', async () => {
  const sub = await createSubscription({ url: receiver.url('/rotate'), events: ['order.placed'] });
  subscriptions.push(sub.subscription.id);
  const rotated = await rotateSecret(sub.subscription.id, 60);
  expect(rotated.secret).not.toBe(sub.secret);
  await recordEvent((await lifeOf('order-rot1', '04-01'))[0]!);
  await sweepUntil(settled(sub.subscription.id, 1));
  const first = receiver.received.filter((r) => r.path === '/rotate').at(-1)!;
  expect(first.signature.match(/v1=/g)).toHaveLength(2);
  expect(verifyWebhook(first.body, first.signature, sub.secret)).toBe(true);
  expect(verifyWebhook(first.body, first.signature, rotated.secret)).toBe(true);

  const final = await rotateSecret(sub.subscription.id, 0);
  await recordEvent((await lifeOf('order-rot2', '04-02'))[0]!);
  await sweepUntil(settled(sub.subscription.id, 2));
  const second = receiver.received.filter((r) => r.path === '/rotate').at(-1)!;
  expect(verifyWebhook(second.body, second.signature, final.secret)).toBe(true);
  expect(verifyWebhook(second.body, second.signature, rotated.secret)).toBe(false);
  expect(verifyWebhook(second.body, second.signature, sub.secret)).toBe(false);
  // The stored subscription never hands a secret out again (the API view has none).
  expect(JSON.stringify((await import('../../../functions/webhooks/service')).subscriptionView((await subscriptionStore.get(sub.subscription.id))!))).not.toContain('whsec_');
}, 60_000);

it('a delivery that fails for its whole retry window marks the subscription failing and raises the ops alarm; a later 2xx clears it', async () => {
  const alarms = installLocalAlarms(dataDir);
  process.env.WEBHOOK_RETRY_WINDOW_MS = '400';
  try {
    const sub = await createSubscription({ url: receiver.url('/down'), events: ['order.placed', 'order.paid'] });
    subscriptions.push(sub.subscription.id);
    receiver.state.decide = (_id, _n, p) => (p === '/down' ? 'fail' : 'ok');
    const life = await lifeOf('order-down', '05-01');
    await recordEvent(life[0]!);
    const context = lambdaContext('WebhookDispatcher', 90);
    const end = Date.now() + 10_000;
    while (!(await settled(sub.subscription.id, 1)())) {
      if (Date.now() > end) throw new Error('never gave up');
      await dispatcherHandler({ once: true }, context);
      await sleep(20);
    }
    const [failed] = await deliveriesOf(sub.subscription.id);
    expect(failed!.state).toBe('failed');
    // At least the first attempt and one retry (a loaded machine may fit no more into the shrunken window).
    expect(failed!.attempts.length).toBeGreaterThanOrEqual(2);
    expect((await subscriptionStore.get(sub.subscription.id))!.health).toBe('failing');
    expect(existsSync(alarms.file)).toBe(true);
    expect(readFileSync(alarms.file, 'utf8')).toContain('WebhookDeliveryFailing');

    // The subscriber is back: the next event gets through and the subscription is healthy again.
    receiver.state.decide = () => 'ok';
    await recordEvent(life[1]!);
    while (!(await settled(sub.subscription.id, 2)())) {
      if (Date.now() > end) throw new Error('never recovered');
      await dispatcherHandler({ once: true }, context);
      await sleep(20);
    }
    expect((await subscriptionStore.get(sub.subscription.id))!.health).toBe('ok');
  } finally {
    delete process.env.WEBHOOK_RETRY_WINDOW_MS;
  }
}, 60_000);

it('an inactive or deleted subscription gets nothing; events are numbered per order even when appended concurrently', async () => {
  const sub = await createSubscription({ url: receiver.url('/inactive'), events: ['*'], active: false });
  subscriptions.push(sub.subscription.id);
  const events = await lifeOf('order-concurrent', '06-01');
  // All four at once: the stream's HEAD condition makes them take 1..4 without a gap or a repeat.
  await Promise.all(events.map((e) => recordEvent(e)));
  const stored = await Promise.all([1, 2, 3, 4, 5].map((n) => eventStore.get('order:order-concurrent', n)));
  expect(stored.slice(0, 4).map((e) => e?.sequence)).toEqual([1, 2, 3, 4]);
  expect(stored[4]).toBeUndefined();
  expect(new Set(stored.slice(0, 4).map((e) => e!.id))).toEqual(new Set(events.map((e) => e.id)));
  expect(await deliveriesOf(sub.subscription.id)).toEqual([]);
  expect(receiver.received.filter((r) => r.path === '/inactive')).toEqual([]);
});

it('a sweep starts no attempt that could outlive its deadline (the Lambda would be cut off mid-attempt)', async () => {
  const sub = await createSubscription({ url: receiver.url('/deadline'), events: ['order.placed'] });
  subscriptions.push(sub.subscription.id);
  await recordEvent((await lifeOf('order-deadline', '07-01'))[0]!);
  const report = await sweep({ deadline: Date.now() + 100 });
  expect(report.due).toBeGreaterThanOrEqual(1);
  expect(report.outcomes).toEqual({});
  expect(receiver.received.filter((r) => r.path === '/deadline')).toEqual([]);
  await sweepUntil(settled(sub.subscription.id, 1));
  expect(receiver.received.filter((r) => r.path === '/deadline')).toHaveLength(1);
});
