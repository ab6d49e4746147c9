/**
 * The dashboard's Webhooks page in Chromium against the whole local stack: an admin subscribes a receiver on
 * 127.0.0.1, sees the signing secret exactly once, a customer's order produces deliveries that the delivery
 * log shows, and replaying one from the log re-delivers exactly that event to the receiver.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { resolveChromium } from '../support/chromium';
import { useLocalStack } from '../support/local-stack';
import { loadDocSnippet } from '../support/doc-snippet';
import { startReceiver } from '../integration/webhooks/receiver';

jest.setTimeout(120_000);

const workDir = mkdtempSync(path.join(tmpdir(), 'webhooks-browser-'));
const dashboardDir = path.join(workDir, 'dist');
beforeAll(async () => {
  await buildDashboard({ outDir: dashboardDir });
}, 60_000);
const local = useLocalStack({ dashboardDir, webhookSweepIntervalMs: 100 });
const { verifyWebhook } = loadDocSnippet<{ verifyWebhook: (raw: string, header: string, secret: string) => boolean }>('docs/webhooks.md', 'verify-webhook');

/** Waits until `read()` satisfies `ok`, then returns the value (the last one read on timeout, for the assertion). */
async function eventually<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

let context: BrowserContext;
let page: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const problems: string[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
  const binary = await resolveChromium();
  context = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
    executablePath: binary.executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(error.message));
}, 180_000);
afterAll(async () => {
  await context?.close().catch(() => undefined);
  await receiver?.stop();
  await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
});

test('subscribe, see the secret once, watch the delivery log, replay one event', async () => {
  await page.goto(`${local.stack.apiUrl}/#/webhooks`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('Passw0rd!local');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByText('No webhook subscriptions yet.').waitFor();

  await page.getByLabel('URL').fill(receiver.url('/browser'));
  await page.getByRole('button', { name: 'Create subscription' }).click();
  const secretBox = page.getByTestId('webhook-secret');
  const secret = (await secretBox.locator('code').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  await page.getByRole('table', { name: 'Webhook subscriptions' }).getByRole('link', { name: receiver.url('/browser') }).waitFor();
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.reload();
  await page.getByRole('table', { name: 'Webhook subscriptions' }).waitFor();
  expect(await page.content()).not.toContain(secret);

  const sku = `HOOKB-${randomUUID().slice(0, 6).toUpperCase()}`;
  await local.api('/admin/products', { as: 'admin', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku, name: 'Hooked lamp', price: { amount: 900, currency: 'USD' }, lowStockThreshold: 0, initialStock: 3 }) });
  const placed = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ customer: { name: 'Casey', email: 'customer@example.com' }, shippingAddress: { line1: '5 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' }, items: [{ sku, quantity: 1 }], payment: { paymentMethodId: 'pm_card_visa' } }),
  });
  const { id: orderId } = (await placed.json()) as { id: string };
  await local.waitForExecution(orderId);

  await page.getByRole('link', { name: receiver.url('/browser') }).click();
  await page.getByRole('heading', { level: 1, name: 'Delivery log' }).waitFor();
  // The log refreshes itself: the order's placed, paid and shipped events show as delivered.
  const delivered = page.locator('tr[data-state="delivered"]');
  expect(await eventually(() => delivered.count(), (n) => n >= 3)).toBeGreaterThanOrEqual(3);
  const paidRow = page.locator('tr', { hasText: 'order.paid' }).first();
  const paidId = (await paidRow.getAttribute('data-event'))!;
  const before = receiver.received.filter((r) => r.path === '/browser').length;
  await paidRow.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Replay selected (1)' }).click();
  await page.getByText('Replaying 1 event(s).').waitFor();
  expect(await eventually(() => receiver.received.filter((r) => r.path === '/browser').length, (n) => n >= before + 1)).toBe(before + 1);
  const again = receiver.received.filter((r) => r.path === '/browser').at(-1)!;
  expect(again.id).toBe(paidId);
  expect(verifyWebhook(again.body, again.signature, secret)).toBe(true);
  await page.locator('tr', { hasText: 'replay' }).first().waitFor();
  expect(problems).toEqual([]);
});
