import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';
import { loadDocSnippet } from '../support/doc-snippet';
import { startReceiver } from '../integration/webhooks/receiver';

/**
 * The whole local stack: an admin subscribes a receiver on 127.0.0.1 through the API, a customer's order runs
 * its workflow, and the events come from the committed changes through the real outbox (the DynamoDB Local
 * stream, the outbox consumer) and the dispatcher the stack runs every second: order.placed, order.paid and
 * order.shipped, numbered 1, 2, 3, signed as docs/webhooks.md verifies, in the delivery log, replayable, and
 * on the local stand-in for the EventBridge bus. GET /openapi.json is public.
 */
const local = useLocalStack({ webhookSweepIntervalMs: 100 });
const { verifyWebhook } = loadDocSnippet<{ verifyWebhook: (raw: string, header: string, secret: string) => boolean }>('docs/webhooks.md', 'verify-webhook');
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.stop());

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const until = async (done: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('an order placed over the API reaches a subscribed receiver as signed, numbered events; log and replay over the API', async () => {
  const openapi = await local.api('/openapi.json');
  expect(openapi.status).toBe(200);
  expect(((await openapi.json()) as { openapi: string; paths: Record<string, unknown> }).paths['/admin/webhooks']).toBeDefined();

  // Admin only; bad input is a 400 that creates nothing.
  expect((await local.api('/admin/webhooks', { as: 'customer', ...json({ url: receiver.url(), events: ['*'] }) })).status).toBe(403);
  const bad = await local.api('/admin/webhooks', { as: 'admin', ...json({ url: receiver.url(), events: ['order.nope'] }) });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  const created = await local.api('/admin/webhooks', { as: 'admin', ...json({ url: receiver.url('/e2e'), events: ['order.placed', 'order.paid', 'order.shipped'] }) });
  expect(created.status).toBe(201);
  const subscription = (await created.json()) as { id: string; secret: string };
  expect(subscription.secret).toMatch(/^whsec_/);
  const listed = await (await local.api('/admin/webhooks', { as: 'admin' })).json() as { items: Record<string, unknown>[] };
  expect(listed.items).toHaveLength(1);
  expect(JSON.stringify(listed)).not.toContain('whsec_');

  const sku = `HOOK-${process.pid}`;
  expect((await local.api('/admin/products', { as: 'admin', ...json({ sku, name: 'Hooked', price: { amount: 1500, currency: 'USD' }, lowStockThreshold: 0, initialStock: 5 }) })).status).toBe(201);
  const placed = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `hooks-${process.pid}` },
    body: JSON.stringify({
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      shippingAddress: { line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      items: [{ sku, quantity: 1 }],
      payment: { paymentMethodId: 'pm_card_visa' },
    }),
  });
  expect(placed.status).toBe(202);
  const { id: orderId } = (await placed.json()) as { id: string };
  await local.waitForExecution(orderId);

  const mine = () => receiver.received.filter((r) => r.path === '/e2e' && JSON.parse(r.body).orderId === orderId);
  await until(() => mine().length >= 3);
  const events = mine().map((r) => JSON.parse(r.body) as { id: string; type: string; sequence: number; data: Record<string, unknown> });
  expect(events.map((e) => [e.type, e.sequence])).toEqual([['order.placed', 1], ['order.paid', 2], ['order.shipped', 3]]);
  for (const r of mine()) expect(verifyWebhook(r.body, r.signature, subscription.secret)).toBe(true);
  expect((events[2]!.data.shipment as { trackingNumber: string }).trackingNumber).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/);
  expect(mine().some((r) => r.body.includes('ada@example.com'))).toBe(false);

  // The log, then a replay of the paid event only.
  const log = (await (await local.api(`/admin/webhooks/${subscription.id}/deliveries`, { as: 'admin' })).json()) as { items: { eventId: string; state: string; attempts: { status?: number }[] }[] };
  expect(log.items.filter((d) => events.some((e) => e.id === d.eventId)).map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered']);
  const replayed = await local.api(`/admin/webhooks/${subscription.id}/replay`, { as: 'admin', ...json({ eventIds: [events[1]!.id] }) });
  expect(replayed.status).toBe(202);
  await until(() => mine().length >= 4);
  await new Promise((r) => setTimeout(r, 500));
  expect(mine().slice(3).map((r) => r.id)).toEqual([events[1]!.id]);

  // The bus stand-in (EventBridge on AWS) got the order's events too, in sequence.
  const bus = path.join(local.stack.dataDir, 'events', 'bus.log');
  await until(() => existsSync(bus) && readFileSync(bus, 'utf8').split('\n').filter((l) => l.includes(orderId)).length >= 3);
  const onBus = readFileSync(bus, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.orderId === orderId);
  expect(onBus.map((e: { sequence: number }) => e.sequence).slice(0, 3)).toEqual([1, 2, 3]);

  expect((await local.api(`/admin/webhooks/${subscription.id}`, { as: 'admin', method: 'DELETE' })).status).toBe(204);
  expect((await local.api(`/admin/webhooks/${subscription.id}/deliveries`, { as: 'admin' })).status).toBe(404);
}, 90_000);
