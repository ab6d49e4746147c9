/**
 * The locations page edits a location, and the order page marks one shipment of a split order delivered
 * (issue #16), in a real Chromium against the whole local stack (as test/browser/dashboard.test.ts: nothing
 * mocked; orders go through POST /orders and the workflow). Screenshots land in test-results/locations-edit/.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { resolveChromium } from '../support/chromium';
import { useLocalStack } from '../support/local-stack';

jest.setTimeout(120_000);

const SHOTS = path.resolve(__dirname, '../../test-results/locations-edit');
const workDir = mkdtempSync(path.join(tmpdir(), 'locations-edit-test-'));
const dashboardDir = path.join(workDir, 'dist');
beforeAll(async () => {
  await buildDashboard({ outDir: dashboardDir });
}, 60_000);
const local = useLocalStack({ dashboardDir });

let context: BrowserContext;
let page: Page;
const browserProblems: string[] = [];

const tag = randomUUID().slice(0, 6).toUpperCase();
const locationId = `WEST-${tag}`;
const appUrl = (route: string) => `${local.stack.apiUrl}/#${route}`;
const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const adminJson = async <T = any>(pathAndQuery: string): Promise<T> => (await local.api(pathAndQuery, { as: 'admin' })).json() as Promise<T>;

async function createProduct(code: string, initialStock: number) {
  const res = await local.api('/admin/products', { as: 'admin', ...json('POST', { sku: code, name: `Location test ${code}`, price: { amount: 1500, currency: 'USD' }, lowStockThreshold: 0, initialStock }) });
  expect(res.status).toBe(201);
}

/** POST /orders as the demo customer; waits for the workflow to finish and returns the order's admin view. */
async function placeOrder(items: { sku: string; quantity: number }[]): Promise<any> {
  const res = await local.api('/orders', {
    as: 'customer',
    ...json('POST', {
      customer: { name: 'Casey Customer', email: 'customer@example.com' },
      shippingAddress: { name: 'Casey Customer', line1: 'Hauptstraße 5', city: 'Berlin', postalCode: '10115', country: 'DE' },
      items,
      payment: { paymentMethodId: 'pm_card_visa' },
    }),
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect((await local.waitForExecution(id)).status).toBe('SUCCEEDED');
  return adminJson(`/admin/orders/${id}`);
}

beforeAll(async () => {
  const chromiumBinary = await resolveChromium();
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
    executablePath: chromiumBinary.executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => browserProblems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) browserProblems.push(message.text());
  });
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
});

afterEach(() => {
  expect(browserProblems.splice(0)).toEqual([]);
});

test('the admin signs in on the locations page', async () => {
  // A second location that could fill the same orders as MAIN, but comes after it (MAIN is 0).
  expect((await local.api('/admin/locations', { as: 'admin', ...json('POST', { id: locationId, name: 'West depot', priority: 50 }) })).status).toBe(201);
  await page.goto(appUrl('/locations'));
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('Passw0rd!local');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading('Locations').waitFor();
  await page.getByRole('table', { name: 'Stock locations' }).locator(`tr[data-location="${locationId}"]`).waitFor();
});

test("editing a location's priority changes where the next order is taken from", async () => {
  const code = `LOC-${tag}`;
  await createProduct(code, 5); // at MAIN
  expect((await local.api(`/admin/inventory/${code}/adjustments`, { as: 'admin', ...json('POST', { delta: 5, reason: 'opening stock', location: locationId }) })).status).toBe(200);
  const before = await placeOrder([{ sku: code, quantity: 1 }]);
  expect(before.shipments.map((s: any) => s.location)).toEqual(['MAIN']);

  const table = page.getByRole('table', { name: 'Stock locations' });
  const west = table.locator(`tr[data-location="${locationId}"]`);
  await west.getByRole('button', { name: `Edit ${locationId}` }).click();
  const form = page.getByRole('form', { name: `Edit location ${locationId}` });
  await expect(form.getByLabel('Priority').inputValue()).resolves.toBe('50');

  // A priority the API would refuse is caught in the form, next to the field, and nothing is sent.
  await form.getByLabel('Priority').fill('-3');
  await form.getByRole('button', { name: 'Save location' }).click();
  await form.locator('.field-invalid .field-error', { hasText: 'Enter a whole number' }).waitFor();
  expect((await adminJson<{ items: any[] }>('/admin/locations')).items.find((l) => l.id === locationId)).toMatchObject({ priority: 50, name: 'West depot' });

  // Name, address and priority together: only the changed fields are sent.
  await form.getByLabel('Name').fill('West depot (renamed)');
  await form.getByLabel('Address').fill('7 Dock Street, Bristol');
  await form.getByLabel('Priority').fill('0');
  await shot('01-edit-location');
  await form.getByRole('button', { name: 'Save location' }).click();
  await page.getByRole('status').filter({ hasText: `Location ${locationId} saved (name, address, priority).` }).waitFor();
  await west.getByText('West depot (renamed)').waitFor();
  await west.getByText('7 Dock Street, Bristol').waitFor();
  expect(await west.locator('td.num').textContent()).toBe('0');

  // MAIN goes after it: edited from the same form.
  await table.locator('tr[data-location="MAIN"]').getByRole('button', { name: 'Edit MAIN' }).click();
  const mainForm = page.getByRole('form', { name: 'Edit location MAIN' });
  await mainForm.getByLabel('Priority').fill('100');
  await mainForm.getByRole('button', { name: 'Save location' }).click();
  await page.getByRole('status').filter({ hasText: 'Location MAIN saved (priority).' }).waitFor();
  await shot('02-locations-after-edit');

  const stored = (await adminJson<{ items: any[] }>('/admin/locations')).items;
  expect(stored.find((l) => l.id === locationId)).toMatchObject({ name: 'West depot (renamed)', address: '7 Dock Street, Bristol', priority: 0, active: true });
  expect(stored.find((l) => l.id === 'MAIN')).toMatchObject({ priority: 100 });
  // Both edits are in the audit log, by the admin.
  const audit = (await adminJson<{ items: any[] }>('/admin/audit')).items.filter((e) => e.action === 'location.update');
  expect(audit.map((e) => e.target)).toEqual(expect.arrayContaining([`location:${locationId}`, 'location:MAIN']));

  // The next order that either location could fill ships from the edited one.
  const after = await placeOrder([{ sku: code, quantity: 1 }]);
  expect(after.shipments.map((s: any) => s.location)).toEqual([locationId]);
  // Bad input straight to the API is a 400 problem+json and changes nothing.
  const bad = await local.api(`/admin/locations/${locationId}`, { as: 'admin', ...json('PATCH', { priority: 1.5 }) });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toContain('application/problem+json');
  expect((await adminJson<{ items: any[] }>('/admin/locations')).items.find((l) => l.id === locationId)).toMatchObject({ priority: 0 });
});

test('one shipment of a split order is marked delivered from the order page, then the other', async () => {
  // One SKU only at MAIN, one only at the new location: the order ships in two parts.
  const a = `LOCA-${tag}`;
  const b = `LOCB-${tag}`;
  await createProduct(a, 3);
  await createProduct(b, 0);
  expect((await local.api(`/admin/inventory/${b}/adjustments`, { as: 'admin', ...json('POST', { delta: 3, reason: 'opening stock', location: locationId }) })).status).toBe(200);
  const order = await placeOrder([{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]);
  expect(order.status).toBe('SHIPPED');
  const s2 = order.shipments.find((s: any) => s.location === locationId).id;
  const s1 = order.shipments.find((s: any) => s.location === 'MAIN').id;

  await page.goto(appUrl(`/orders/${order.id}`));
  // The shipments card (its parts carry data-shipment).
  const card = page.locator('.card', { has: page.locator('[data-shipment]') });
  await card.locator(`[data-shipment="${s2}"]`).waitFor();
  await card.getByRole('button', { name: `Mark shipment ${s2} delivered` }).click();
  const dialog = page.getByRole('dialog', { name: `Mark shipment ${s2} delivered?` });
  await dialog.getByRole('button', { name: 'Mark delivered' }).click();
  await page.getByRole('status').filter({ hasText: `Shipment ${s2} marked delivered.` }).waitFor();
  // That shipment is delivered and has no button any more; the other still has one, the order is SHIPPED.
  // (Text "delivered" would match the button's own "Mark delivered": wait for the button to go instead.)
  await card.getByRole('button', { name: `Mark shipment ${s2} delivered` }).waitFor({ state: 'detached' });
  expect(await card.getByRole('button', { name: `Mark shipment ${s1} delivered` }).count()).toBe(1);
  let stored = await adminJson(`/admin/orders/${order.id}`);
  expect(stored.status).toBe('SHIPPED');
  expect(Object.fromEntries(stored.shipments.map((s: any) => [s.id, s.status]))).toEqual({ [s1]: 'SHIPPED', [s2]: 'DELIVERED' });
  await shot('03-one-shipment-delivered');

  await card.getByRole('button', { name: `Mark shipment ${s1} delivered` }).click();
  await page.getByRole('dialog', { name: `Mark shipment ${s1} delivered?` }).getByRole('button', { name: 'Mark delivered' }).click();
  await page.getByRole('status').filter({ hasText: `Shipment ${s1} marked delivered; every shipment is delivered, so the order is too.` }).waitFor();
  stored = await adminJson(`/admin/orders/${order.id}`);
  expect(stored.status).toBe('DELIVERED');
  expect(stored.timeline.filter((t: any) => /\(shipment S\d\)$/.test(t.reason) && t.actor === 'admin:admin@example.com')).toHaveLength(2);
  expect((await adminJson(`/tracking/${stored.shipments.find((s: any) => s.id === s2).trackingNumber}`)).status).toBe('DELIVERED');
  await shot('04-order-delivered');
});
