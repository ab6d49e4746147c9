/**
 * The admin dashboard in a real browser (Chromium through playwright-core: the system one, or the build the
 * npm package @sparticuz/chromium ships) against the whole local
 * stack: DynamoDB Local, cognito-local, the real state machine and the same handlers the Lambdas run.
 * Nothing is mocked: the customer's order goes through POST /orders and the workflow, the admin acts in
 * the UI. The steps share one browser page and run in order, like an admin's session.
 *
 * Screenshots of every page land in test-results/dashboard/ (git-ignored).
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { resolveChromium } from '../support/chromium';
import { securityHeaders } from '../../dashboard/security-headers';
import { dashboardConnectSources } from '../../local/gateway';
import { useLocalStack } from '../support/local-stack';
import { totpCode } from '../support/totp';

jest.setTimeout(120_000);

const SHOTS = path.resolve(__dirname, '../../test-results/dashboard');
const PASSWORD = 'Passw0rd!local';
const ADMIN = 'admin@example.com';
const CUSTOMER = 'customer@example.com';

// Built into a private directory (so parallel runs and `npm start` don't clash) before the stack serves it.
const workDir = mkdtempSync(path.join(tmpdir(), 'dashboard-test-'));
const dashboardDir = path.join(workDir, 'dist');
beforeAll(async () => {
  await buildDashboard({ outDir: dashboardDir });
}, 60_000);
// The whole local stack; ORDER_HOLD_SECONDS is 0 there, so orders go straight from PAID to label and ship.
const local = useLocalStack({ dashboardDir });

let context: BrowserContext;
let page: Page;
const browserProblems: string[] = [];
let documentsChecked = 0;

const sku = `E2E-${randomUUID().slice(0, 8).toUpperCase()}`;
const productName = `Browser test lamp ${sku.slice(4)}`;
let orderId: string;
let trackingNumber: string;
let heldOrderId: string;
/** Declined orders placed in this session (each must get exactly one `failed` email). */
const declinedIds: string[] = [];
const heldSku = `${sku}-OPEN`;

async function shot(name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** POST /orders as the demo customer, as a storefront would; returns the new order's id. */
async function placeOrder(orderSku: string, quantity: number, paymentMethodId: string): Promise<string> {
  const response = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      customer: { name: 'Casey Customer', email: CUSTOMER },
      shippingAddress: { name: 'Casey Customer', line1: 'Hauptstraße 5', city: 'Berlin', postalCode: '10115', country: 'DE' },
      items: [{ sku: orderSku, quantity }],
      payment: { paymentMethodId },
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const appUrl = (route: string) => `${local.stack.apiUrl}/#${route}`;
const adminJson = async <T>(pathAndQuery: string): Promise<T> => (await local.api(pathAndQuery, { as: 'admin' })).json() as Promise<T>;

async function signIn(username: string) {
  await page.getByLabel('Email').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
/** The control once it is marked invalid (client check or the server's errors[].path). */
const invalid = (control: ReturnType<Page['locator']>) => control.and(page.locator('[aria-invalid="true"]'));
/** The inventory row's "Available" cell once it shows `value` (the table refreshes after an adjustment). */
const availableCell = (row: ReturnType<Page['locator']>, value: string) => row.locator('td:nth-child(4)', { hasText: new RegExp(`^${value}$`) });

beforeAll(async () => {
  // The system Chromium when there is one, else the npm-shipped build (test/support/chromium.ts).
  const chromiumBinary = await resolveChromium();
  await rm(SHOTS, { recursive: true, force: true }); // only this run's screenshots
  await mkdir(SHOTS, { recursive: true });
  // A fresh profile per run: no cached assets, storage or extensions from anything before.
  context = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
    executablePath: chromiumBinary.executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  // The gateway serves the page with the headers CloudFront sends (dashboard/security-headers.ts, one
  // source for both): every document this session loads is checked to carry exactly those, and a CSP
  // violation in the page fails the step it happened in (see the console listener below).
  context.on('response', (response) => {
    if (response.request().resourceType() !== 'document') return;
    const expected = securityHeaders(dashboardConnectSources({ apiUrl: local.stack.apiUrl, cognito: local.stack.cognito }), { https: false });
    const headers = response.headers();
    for (const [name, value] of Object.entries(expected)) {
      if (headers[name] !== value) browserProblems.push(`${response.url()}: ${name} was ${JSON.stringify(headers[name])}, expected ${JSON.stringify(value)}`);
    }
    documentsChecked++;
  });
  page = context.pages()[0] ?? (await context.newPage());
  // Generous for a loaded CI machine; a real hang still fails well within the jest timeout.
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
  // Any uncaught error or CSP violation in the page fails the step it happened in.
  const problems = browserProblems.splice(0);
  expect(problems).toEqual([]);
});

test('the sign-in form is keyboard reachable and labelled', async () => {
  await page.goto(appUrl('/orders'));
  await heading('Sign in to the admin dashboard').waitFor();
  // The page came from the gateway with the shared security headers (checked by the response listener).
  expect(documentsChecked).toBeGreaterThan(0);
  await page.getByLabel('Email').focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))).toBe('current-password');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign in');
  await shot('01-sign-in');
});

test('a wrong password is refused with a clear message', async () => {
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }).waitFor();
});

test('a signed-in customer (not in the admin group) is refused', async () => {
  await signIn(CUSTOMER);
  const message = page.getByRole('alert').filter({ hasText: 'This dashboard is for administrators' });
  await message.waitFor();
  expect(await message.textContent()).toContain(CUSTOMER);
  // Nothing is kept for a refused user, and no page of the dashboard is shown.
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(await page.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
  await shot('02-not-admin');
  await page.getByRole('button', { name: 'Sign in with another account' }).click();
});

test('the admin signs in and lands on the page the URL named', async () => {
  await page.goto(appUrl('/products'));
  await signIn(ADMIN);
  await heading('Products').waitFor();
  expect(page.url()).toMatch(/#\/products$/);
  await page.getByRole('cell', { name: 'Classic mug' }).waitFor(); // the seeded catalogue
  expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Products' }).getAttribute('aria-current')).toBe('page');
  await shot('03-products');
});

test('creating a product shows client and server validation errors inline, then creates it', async () => {
  await page.getByRole('link', { name: 'New product' }).click();
  await heading('New product').waitFor();
  const form = page.getByRole('form', { name: 'New product' });

  // Client-side: a SKU the API would refuse and a price with too many decimals.
  await form.getByLabel('SKU').fill('bad sku');
  await form.getByLabel('Name').fill(productName);
  await form.getByLabel('Price').fill('12.345');
  await form.getByRole('button', { name: 'Create product' }).click();
  await invalid(form.getByLabel('SKU')).waitFor();
  await form.getByText('Use at most 2 decimals.').waitFor();

  // Server-side: above the API's price ceiling → 400 problem+json, errors[].path "price.amount" under Price.
  await form.getByLabel('SKU').fill(sku);
  await form.getByLabel('Price').fill('2000000');
  await form.getByRole('button', { name: 'Create product' }).click();
  await invalid(form.getByLabel('Price')).waitFor();
  expect(await form.locator('.field-invalid .field-error').first().textContent()).toContain('minor units');
  await form.getByRole('alert').waitFor(); // the problem's detail on top
  await shot('04-product-validation');

  // A SKU that exists already: 409 detail on the SKU field.
  await form.getByLabel('SKU').fill('MUG-CLASSIC');
  await form.getByLabel('Price').fill('12.34');
  await form.getByRole('button', { name: 'Create product' }).click();
  await form.getByText(/MUG-CLASSIC already exists/).first().waitFor();

  await form.getByLabel('SKU').fill(sku);
  await form.getByLabel('Low-stock threshold').fill('5');
  await form.getByLabel('Description').fill('Created by the browser test.');
  await form.getByRole('button', { name: 'Create product' }).click();
  await heading(productName).waitFor();
  expect(page.url()).toContain(`#/products/${sku}`);
  await page.getByRole('status').filter({ hasText: `Created ${sku}.` }).waitFor();

  // The API really has it, priced in minor units.
  const product = await adminJson<{ price: { amount: number }; lowStockThreshold: number }>(`/admin/products/${sku}`);
  expect(product.price.amount).toBe(1234);
  expect(product.lowStockThreshold).toBe(5);
  await shot('05-product-edit');
});

test('a product created with opening stock says how many are in stock, not "add stock"', async () => {
  const stocked = `${sku}-OS`;
  await page.goto(appUrl('/products/new'));
  const form = page.getByRole('form', { name: 'New product' });
  await form.getByLabel('SKU').fill(stocked);
  await form.getByLabel('Name').fill(`${productName} stocked`);
  await form.getByLabel('Price').fill('3.00');
  await form.getByLabel('Low-stock threshold').fill('1');
  await form.getByLabel('Opening stock (units)').fill('3');
  await form.getByRole('button', { name: 'Create product' }).click();
  await page.getByRole('status').filter({ hasText: `Created ${stocked}. 3 in stock.` }).waitFor();
  expect(await page.getByText('Add stock on the Inventory page').count()).toBe(0);
  // Back to the first product, where the next steps continue.
  await page.goto(appUrl(`/products/${sku}`));
  await heading(productName).waitFor();
});

test('editing a product saves only what changed', async () => {
  const form = page.getByRole('form', { name: `Edit ${sku}` });
  await form.getByLabel('Price').fill('15.50');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('status').filter({ hasText: `Saved ${sku}.` }).waitFor();
  const product = await adminJson<{ price: { amount: number } }>(`/admin/products/${sku}`);
  expect(product.price.amount).toBe(1550);
});

test('the admin stocks the new product from the inventory page', async () => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Inventory' }).click();
  await heading('Inventory').waitFor();
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
  const dialog = page.getByRole('dialog', { name: `Adjust stock of ${sku}` });
  await dialog.getByLabel('Change in units').fill('8');
  await dialog.getByLabel('Reason').fill('Opening stock from supplier');
  await shot('06-inventory-adjust-dialog');
  await dialog.getByRole('button', { name: 'Record adjustment' }).click();
  await page.getByRole('status').filter({ hasText: `${sku}: +8 recorded. 8 available now.` }).waitFor();
  await availableCell(row, '8').waitFor();
  expect((await row.getAttribute('class')) ?? '').not.toContain('row-low');
});

test('an order placed through the API reaches SHIPPED in the orders table', async () => {
  orderId = await placeOrder(sku, 2, 'pm_card_visa');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Orders' }).click();
  await heading('Orders').waitFor();
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  await row.waitFor();
  // No reload: the table's status polling moves the badge on its own.
  await row.locator('[data-status="SHIPPED"]').waitFor({ timeout: 60_000 });
  expect(await row.textContent()).toContain('$31.00');
  await shot('07-orders');

  // Filters narrow the list through the API (status + email), and the order is still there.
  await page.getByLabel('Status').selectOption('SHIPPED');
  await page.getByLabel('Customer email').fill(CUSTOMER);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/status=SHIPPED/);
  await row.waitFor();
  await page.getByLabel('Status').selectOption('CANCELLED');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No orders match these filters.').waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();
  await row.waitFor();

  // Date range: today (UTC) holds the order, tomorrow does not, and a reversed range is refused in place.
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(new RegExp(`from=${today}&to=${today}`));
  await row.waitFor();
  await page.getByLabel('From', { exact: true }).fill(tomorrow);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('alert').filter({ hasText: 'The “from” date is after the “to” date.' }).waitFor();
  expect(page.url()).toContain(`from=${today}`); // nothing was applied
  await page.getByLabel('To', { exact: true }).fill(tomorrow);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No orders match these filters.').waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();
  await row.waitFor();
}, 90_000);

test('status polling pauses while the tab is hidden and resumes when it is shown', async () => {
  const POLL_MS = 4_000; // ORDERS_POLL_MS in dashboard/src/pages/Orders.tsx
  const polls: string[] = [];
  const onRequest = (request: { url(): string }) => {
    if (new URL(request.url()).pathname === '/admin/orders') polls.push(request.url());
  };
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  page.on('request', onRequest);
  try {
    await page.waitForTimeout(POLL_MS + 1_000);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    await setVisibility('hidden');
    polls.length = 0;
    await page.waitForTimeout(2 * POLL_MS + 1_000);
    expect(polls).toEqual([]);
    await Promise.all([page.waitForRequest((request) => new URL(request.url()).pathname === '/admin/orders'), setVisibility('visible')]);
  } finally {
    page.off('request', onRequest);
  }
}, 60_000);

test('the overview opens first: tiles, a per-day chart and the attention queue, each linking to its list', async () => {
  await page.goto(`${local.stack.apiUrl}/`);
  await heading('Overview').waitFor();
  expect(page.url()).not.toMatch(/#\/orders/);
  const expected = await adminJson<{ ordersPlaced: number; ordersShipped: number; perDay: { date: string; orders: number }[] }>('/admin/overview');
  const tile = (name: string) => page.locator(`li.tile[data-tile="${name}"] .tile-value`);
  await tile('Orders placed').filter({ hasText: String(expected.ordersPlaced) }).waitFor();
  expect(await tile('Shipped').textContent()).toBe(String(expected.ordersShipped));
  expect(await tile('Revenue').textContent()).toMatch(/^\$[\d,]+\.\d{2}/); // money, formatted
  const days = page.locator('ol.chart li.chart-day');
  expect(await days.count()).toBe(7);
  const today = new Date().toISOString().slice(0, 10);
  expect(await page.locator(`li.chart-day[data-date="${today}"] .chart-count`).textContent()).toBe(String(expected.perDay.at(-1)!.orders));
  await shot('07b-overview');
  await page.getByRole('list', { name: 'Needs attention' }).getByRole('link', { name: /low-stock threshold/ }).click();
  await heading('Low-stock alerts').waitFor();
  expect(page.url()).toMatch(/open=true/);
  await page.goto(`${local.stack.apiUrl}/#/overview`);
  await tile('Shipped').click();
  await heading('Orders').waitFor();
  expect(page.url()).toMatch(/status=SHIPPED/);
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
});

test('one search box finds orders by number, id prefix, email and name prefix', async () => {
  const number = (await adminJson<{ number: number }>(`/admin/orders/${orderId}`)).number;
  expect(number).toBeGreaterThanOrEqual(1001);
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  const search = page.getByRole('searchbox', { name: 'Search orders' });
  for (const q of [`#${number}`, String(number), orderId.slice(0, 8), CUSTOMER.slice(0, 5).toUpperCase(), 'casey cus']) {
    await page.goto(appUrl('/orders'));
    await search.fill(q);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(new RegExp(`q=${encodeURIComponent(q).replace(/%20/g, '(%20|\\+)')}`));
    await row.waitFor();
    expect(await row.textContent()).toContain(`#${number}`);
  }
  // Too short to search: said in place, nothing requested.
  await search.fill('ca');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('Type at least 3 characters, or an order number.').waitFor();
  await shot('08a-orders-search');
});

test('searching opens the order with payment, shipment and timeline', async () => {
  await page.goto(appUrl(`/orders?q=${orderId.slice(0, 8)}`));
  await page.locator(`tr[data-order-id="${orderId}"] a`).click();
  await heading(/^Order #\d+$/).waitFor();
  const shipment = page.getByRole('article', { name: 'Shipment' });
  const tracking = shipment.locator('a.mono');
  await tracking.waitFor();
  trackingNumber = (await tracking.textContent()) ?? '';
  expect(trackingNumber).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/); // UPU S10
  const payment = page.getByRole('article', { name: 'Payment' });
  expect(await payment.textContent()).toMatch(/Visa\s*•••• 4242/);
  expect(await page.getByRole('article', { name: 'Customer' }).textContent()).toContain('Hauptstraße 5');
  const timeline = await page.locator('ol.timeline').first().textContent();
  for (const status of ['Pending', 'Reserved', 'Paid', 'Labelled', 'Shipped']) expect(timeline).toContain(status);
  expect(timeline).toContain('by customer');
  expect(timeline).not.toMatch(/customer:[0-9a-f-]{8}/);
  expect(timeline).toMatch(/\d{1,2}:\d{2}:\d{2}/); // seconds: the hold window is seconds long
  // German format: postcode before the city, country in full.
  expect(await page.getByRole('article', { name: 'Customer' }).locator('address').innerText()).toMatch(/Hauptstraße 5\s+10115 Berlin\s+Germany/);
  await shot('08-order-detail');
});

test('the shipping label downloads as PDF and ZPL with the admin token', async () => {
  const shipment = page.getByRole('article', { name: 'Shipment' });
  const [pdf] = await Promise.all([page.waitForEvent('download'), shipment.getByRole('button', { name: 'Label (PDF)' }).click()]);
  expect(pdf.suggestedFilename()).toBe(`label-${trackingNumber}.pdf`);
  const pdfBytes = await readFile((await pdf.path())!);
  expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

  const [zpl] = await Promise.all([page.waitForEvent('download'), shipment.getByRole('button', { name: 'Label (ZPL)' }).click()]);
  const zplText = await readFile((await zpl.path())!, 'utf8');
  expect(zplText.startsWith('^XA')).toBe(true);
  expect(zplText).toContain(trackingNumber);
});

test('the orders list exports the filtered orders as CSV', async () => {
  await page.goto(appUrl('/orders?status=SHIPPED'));
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('orders-SHIPPED.csv');
  const csv = await readFile((await download.path())!, 'utf8');
  const rows = csv.trimEnd().split('\r\n');
  expect(rows[0]).toBe('number,id,placedAt,status,customerName,email,lines,total,currency,captured,refunded');
  const mine = rows.find((r) => r.includes(orderId))!;
  expect(mine.split(',')).toEqual([expect.stringMatching(/^\d{4,}$/), orderId, expect.any(String), 'SHIPPED', 'Casey Customer', CUSTOMER, '2', '31.00', 'USD', '31.00', '0.00']);
  expect(rows.slice(1).every((r) => r.split(',')[3] === 'SHIPPED')).toBe(true);
  // Back where the next steps act.
  await page.goto(appUrl(`/orders/${orderId}`));
  await heading(/^Order #\d+$/).waitFor();
});

test('a partial refund is converted to minor units and shows on the order', async () => {
  await page.getByRole('button', { name: 'Refund' }).click();
  const dialog = page.getByRole('dialog', { name: `Refund order ${orderId}` });
  await dialog.getByText('Refundable: $31.00').waitFor();
  // More than was captured is refused before anything is sent.
  await dialog.getByLabel('Amount (USD)').fill('40');
  await dialog.getByRole('button', { name: 'Refund' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'At most $31.00 can be refunded.' }).waitFor();
  await dialog.getByLabel('Amount (USD)').fill('0.29');
  await shot('09-refund-dialog');
  await dialog.getByRole('button', { name: 'Refund' }).click();
  await page.getByRole('status').filter({ hasText: 'Refund of $0.29 issued.' }).waitFor();
  const payment = page.getByRole('article', { name: 'Payment' });
  await payment.getByText('Partially refunded').waitFor();

  const order = await adminJson<{ paymentRecord: { amountRefunded: number } }>(`/admin/orders/${orderId}`);
  expect(order.paymentRecord.amountRefunded).toBe(29); // 0.29 typed → 29 minor units, not 28

  // The refund is in the order's timeline (from the outbox, so it may take a poll), by the admin's email;
  // the payment history shows money, never minor units.
  const timeline = page.getByRole('list', { name: 'Order timeline' });
  await timeline.locator('li', { hasText: 'Refunded $0.29 (refund 1)' }).filter({ hasText: `by ${ADMIN}` }).waitFor({ timeout: 30_000 });
  const history = page.getByRole('list', { name: 'Payment history' });
  await history.getByText(/refund 1: \$0\.29/).waitFor();
  expect(await history.textContent()).not.toMatch(/\b29 USD\b/);
  await shot('09b-refund-in-timeline');
}, 60_000);

test('the admin marks the order delivered', async () => {
  await page.getByRole('button', { name: 'Mark delivered' }).click();
  await page.getByRole('dialog', { name: `Mark order ${orderId} delivered?` }).getByRole('button', { name: 'Mark delivered' }).click();
  await page.getByRole('status').filter({ hasText: 'Order marked delivered.' }).waitFor();
  await page.locator('.page-header [data-status="DELIVERED"]').waitFor();
  expect(await page.getByRole('button', { name: 'Mark delivered' }).count()).toBe(0);
  await page.getByRole('list', { name: 'Order timeline' }).locator('li', { hasText: 'Marked delivered by an administrator' }).filter({ hasText: `by ${ADMIN}` }).waitFor();
  const audit = await adminJson<{ items: { actor: string; action: string; target: string }[] }>('/admin/audit');
  expect(audit.items.filter((e) => e.target === `order:${orderId}`).map((e) => [e.action, e.actor])).toEqual(
    expect.arrayContaining([
      ['order.refund', `admin:${ADMIN}`],
      ['order.deliver', `admin:${ADMIN}`],
    ]),
  );
});

test('a customer’s return waits in the returns queue; the admin approves it and receives it, refunded', async () => {
  // The customer asks for one unit back (within the window: the order was just delivered).
  const asked = await local.api(`/orders/${orderId}/returns`, {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ sku, quantity: 1, reason: 'Arrived scratched' }] }),
  });
  expect(asked.status).toBe(201);
  const { id: returnId } = (await asked.json()) as { id: string };

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Returns' }).click();
  await heading('Returns').waitFor();
  const row = page.locator(`tr[data-return="${returnId}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain(`1× ${sku}`);
  await shot('10a-returns-queue');
  await row.getByRole('link').first().click();
  await heading(`Return ${returnId.slice(-9)}`).waitFor();
  await page.getByRole('cell', { name: 'Arrived scratched' }).waitFor();

  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('dialog', { name: 'Approve this return?' }).getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('status').filter({ hasText: /Approved\. Return label [A-Z]{2}\d{9}[A-Z]{2} created\./ }).waitFor();
  await page.locator('.page-header [data-status="APPROVED"]').waitFor();
  const [label] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Return label (PDF)' }).click()]);
  expect((await readFile((await label.path())!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  await page.getByRole('button', { name: 'Receive' }).click();
  const dialog = page.getByRole('dialog', { name: 'Receive the returned items' });
  await dialog.getByLabel('Disposition').selectOption('scrap');
  await shot('10b-receive-dialog');
  await dialog.getByRole('button', { name: 'Receive and refund' }).click();
  await page.getByRole('status').filter({ hasText: 'Received and refunded $15.50.' }).waitFor();
  await page.locator('.page-header [data-status="REFUNDED"]').waitFor();
  await page.getByRole('cell', { name: '1 scrapped' }).waitFor();
  const order = await adminJson<{ paymentRecord: { amountRefunded: number }; returns: { id: string; status: string }[] }>(`/admin/orders/${orderId}`);
  expect(order.paymentRecord.amountRefunded).toBe(29 + 1550);
  expect(order.returns).toEqual([expect.objectContaining({ id: returnId, status: 'REFUNDED' })]);

  // The order page lists the return; back there for the next steps.
  await page.goto(appUrl(`/orders/${orderId}`));
  await heading(/^Order #\d+$/).waitFor();
  await page.getByRole('article', { name: 'Shipment' }).getByRole('link', { name: returnId.slice(-9) }).waitFor();
  await shot('10c-order-with-return');
});

test('the server’s problem detail is shown when an action fails', async () => {
  // Refund the rest behind the dashboard's back: the next refund from this (now stale) page must fail.
  const refund = (body: unknown) =>
    local.api(`/admin/orders/${orderId}/refund`, { as: 'admin', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await refund({})).status).toBe(200);
  await page.getByRole('button', { name: 'Refund' }).click();
  const dialog = page.getByRole('dialog', { name: `Refund order ${orderId}` });
  await dialog.getByLabel('Amount (USD)').fill('1');
  await dialog.getByRole('button', { name: 'Refund' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  // The same request straight to the API: the dialog shows exactly its problem+json detail.
  const same = await refund({ amount: 100 });
  expect(same.status).toBeGreaterThanOrEqual(400);
  const problem = (await same.json()) as { detail: string };
  expect(await alert.textContent()).toContain(problem.detail);
  await shot('10-problem-detail');
  await dialog.getByRole('button', { name: 'Go back' }).click();
  await page.reload();
  await page.getByRole('article', { name: 'Payment' }).getByText('Refunded', { exact: true }).first().waitFor();
});

test('the payments list shows the order’s payment with amounts and filters by status', async () => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Payments' }).click();
  await heading('Payments').waitFor();
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  await row.waitFor();
  expect(await row.textContent()).toMatch(/\$31\.00.*\$31\.00.*\$31\.00.*Refunded/);
  await shot('11-payments');
  // The filter goes to the API (?status=): the only payment here is refunded, so none is authorized.
  await page.getByLabel('Status').selectOption('authorized');
  await page.waitForURL(/status=authorized/);
  await page.getByText('No payments with status “Authorized”.').waitFor();
  await page.getByLabel('Status').selectOption('refunded');
  await row.waitFor();
});

test('a product with an open order is deactivated instead of deleted', async () => {
  const created = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: heldSku, name: 'Held product', price: { amount: 1299, currency: 'USD' }, lowStockThreshold: 1, initialStock: 5 }),
  });
  expect(created.status).toBe(201);
  // Hold this order after PAID: the handlers run in this process, and the outbox consumer reads
  // ORDER_HOLD_SECONDS when it starts the order's workflow, so it stays set until the order is PAID.
  process.env.ORDER_HOLD_SECONDS = '600';
  try {
    heldOrderId = await placeOrder(heldSku, 1, 'pm_card_mastercard');
    for (let i = 0; i < 400; i++) {
      const view = (await (await local.api(`/admin/orders/${heldOrderId}`, { as: 'admin' })).json()) as { status: string };
      if (view.status === 'PAID') break;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    process.env.ORDER_HOLD_SECONDS = '0';
  }
  await page.goto(appUrl(`/orders/${heldOrderId}`));
  await heading(/^Order #\d+$/).waitFor();
  await page.locator('.page-header [data-status="PAID"]').waitFor({ timeout: 30_000 }); // the page polls
  expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0); // nothing captured yet

  await page.goto(appUrl(`/products/${heldSku}`));
  await heading('Held product').waitFor();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: `Delete ${heldSku}?` }).getByRole('button', { name: 'Delete product' }).click();
  await page.getByRole('status').filter({ hasText: /deactivated instead of deleted/ }).waitFor();
  await page.locator('.page-header .badge', { hasText: 'Inactive' }).waitFor();
  expect(page.url()).toContain(`#/products/${heldSku}`);
  expect((await adminJson<{ active: boolean }>(`/admin/products/${heldSku}`)).active).toBe(false);
}, 60_000);

test('an order still in its cancellation window is cancelled from its page', async () => {
  await page.goto(appUrl(`/orders/${heldOrderId}`));
  await heading(/^Order #\d+$/).waitFor();
  await page.locator('.page-header [data-status="PAID"]').waitFor();
  await page.getByRole('button', { name: 'Cancel order' }).click();
  const dialog = page.getByRole('dialog', { name: `Cancel order ${heldOrderId}?` });
  await shot('12-cancel-dialog');
  await dialog.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByRole('status').filter({ hasText: 'Order cancelled.' }).waitFor();
  await page.locator('.page-header [data-status="CANCELLED"]').waitFor();
  await page.getByRole('article', { name: 'Payment' }).locator('[data-status="voided"]').waitFor();
  const order = await adminJson<{ status: string; timeline: { status: string; actor: string }[] }>(`/admin/orders/${heldOrderId}`);
  expect(order.status).toBe('CANCELLED');
  expect(order.timeline.at(-1)).toMatchObject({ status: 'CANCELLED', actor: `admin:${ADMIN}` });
  await page.getByRole('list', { name: 'Order timeline' }).locator('li', { hasText: 'Cancelled by an administrator' }).filter({ hasText: `by ${ADMIN}` }).waitFor();
  // A shipment card that says what happened, not "appears once the label step has run".
  await page.getByRole('article', { name: 'Shipment' }).getByText('Not shipped: the order was cancelled before a label was made.').waitFor();
  // The reserved unit is back.
  const levels = await adminJson<{ items: { sku: string; available: number; reserved: number }[] }>('/admin/inventory?limit=100');
  expect(levels.items.find((level) => level.sku === heldSku)).toMatchObject({ available: 5, reserved: 0 });
}, 60_000);

test('a declined order shows as failed, and the orders table pages through nextCursor', async () => {
  const declinedId = await placeOrder('MUG-CLASSIC', 1, 'pm_card_chargeDeclined');
  declinedIds.push(declinedId);
  // One order per page: newest first, so declined → held (cancelled) → shipped.
  await page.goto(appUrl('/orders?limit=1'));
  await heading('Orders').waitFor();
  const declinedRow = page.locator(`tr[data-order-id="${declinedId}"]`);
  await declinedRow.locator('[data-status="FAILED"]').waitFor({ timeout: 30_000 });
  expect(await declinedRow.textContent()).toContain('Payment declined');
  expect(await page.getByLabel('Rows per page').inputValue()).toBe('1');
  const next = page.getByRole('navigation', { name: 'Orders pages' }).getByRole('button', { name: 'Next →' });
  const previous = page.getByRole('navigation', { name: 'Orders pages' }).getByRole('button', { name: '← Previous' });
  expect(await previous.isDisabled()).toBe(true);
  await next.click();
  await page.locator(`tr[data-order-id="${heldOrderId}"]`).waitFor();
  await next.click();
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
  await shot('13-orders-paged');
  await previous.click();
  await page.locator(`tr[data-order-id="${heldOrderId}"]`).waitFor();
  await previous.click();
  await declinedRow.waitFor();
  expect(await previous.isDisabled()).toBe(true);

  // Past the oldest order: DynamoDB may still return a cursor; its page says so instead of "no orders".
  await next.click();
  await next.click();
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
  if (await next.isEnabled()) {
    await next.click();
    await page.getByText('No more orders.').waitFor();
    await page.getByRole('link', { name: 'Back to the first page' }).click();
    await declinedRow.waitFor();
  }
}, 60_000);

test('a compensation failure reported by a handler shows on the Ops page with its reason', async () => {
  // The metric a failed compensation emits, through the same Powertools instance and local sink the
  // in-process handlers use (required here: the stack has set their environment by now).
  const { countMetric, metrics } = require('../../functions/commons/powertools') as typeof import('../../functions/commons/powertools');
  countMetric('CompensationFailures');
  metrics.publishStoredMetrics();

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Ops' }).click();
  await heading('Ops alarms').waitFor();
  const row = page.locator('tr[data-alarm="CompensationFailures"]');
  await row.waitFor();
  expect(await row.textContent()).toContain('CompensationFailures = 1 in the last 300 s (threshold >= 1).');
  await row.getByText('Alarm', { exact: true }).waitFor();
  await shot('16b-ops-alarms');
});

test('the overview’s attention queue opens the filtered lists: flagged orders, failed orders, open alerts', async () => {
  // A declined order whose compensation then failed: flagged by the workflow's own step (what the state
  // machine runs after a compensation's retries are spent).
  const flaggedId = await placeOrder('MUG-CLASSIC', 1, 'pm_card_chargeDeclined');
  declinedIds.push(flaggedId);
  await local.waitForExecution(flaggedId);
  const { handler: flag } = require('../../functions/workflow/flag-needs-attention') as typeof import('../../functions/workflow/flag-needs-attention');
  const { lambdaContext } = require('../../local/lambda-context') as typeof import('../../local/lambda-context');
  expect(await flag({ orderId: flaggedId, input: { failureReason: 'PAYMENT_DECLINED', compensationError: { Error: 'ReleaseStockFailed' } } }, lambdaContext('FlagNeedsAttention', 30))).toEqual({ flagged: true });

  await page.goto(appUrl('/overview'));
  await heading('Overview').waitFor();
  const queue = page.getByRole('list', { name: 'Needs attention' });
  const expected = await adminJson<{ ordersFailed: number; needsAttention: { orders: number } }>('/admin/overview');
  expect(expected.needsAttention.orders).toBeGreaterThanOrEqual(1);
  await queue.locator('li[data-queue="attention"] strong', { hasText: String(expected.needsAttention.orders) }).waitFor();

  await queue.locator('li[data-queue="attention"] a').click();
  await heading('Orders').waitFor();
  expect(page.url()).toMatch(/needsAttention=true/);
  const flaggedRow = page.locator(`tr[data-order-id="${flaggedId}"]`);
  await flaggedRow.waitFor();
  expect(await flaggedRow.textContent()).toContain('Needs attention: Compensation failed (ReleaseStockFailed)');
  // Only flagged orders: the shipped one is not listed, and the filter shows as set.
  expect(await page.locator(`tr[data-order-id="${orderId}"]`).count()).toBe(0);
  expect(await page.getByLabel('Needs attention only').isChecked()).toBe(true);
  expect(await page.locator('tbody tr').count()).toBe(expected.needsAttention.orders);
  await shot('16c-needs-attention-list');

  await page.goBack();
  await heading('Overview').waitFor();
  await queue.locator('li[data-queue="failed"] a').click();
  await heading('Orders').waitFor();
  expect(page.url()).toMatch(/status=FAILED/);
  await flaggedRow.waitFor();
  expect(await page.locator(`tr[data-order-id="${orderId}"]`).count()).toBe(0);

  await page.goBack();
  await heading('Overview').waitFor();
  await queue.locator('li[data-queue="disputes"] a').click();
  await heading('Orders').waitFor();
  expect(page.url()).toMatch(/needsAttention=true/);

  // Clearing the filter lists every order again.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
  expect(page.url()).not.toMatch(/needsAttention/);
}, 60_000);

test('adjusting stock below the threshold highlights it and raises an alert with days of cover', async () => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Inventory' }).click();
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await row.waitFor();
  // Two units shipped: 6 on hand, 6 available.
  await availableCell(row, '6').waitFor();

  // Taking more than is available: the API's 409 detail shows in the dialog and nothing changes.
  await row.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
  let dialog = page.getByRole('dialog', { name: `Adjust stock of ${sku}` });
  await dialog.getByLabel('Change in units').fill('-1000');
  await dialog.getByLabel('Reason').fill('Typo');
  await dialog.getByRole('button', { name: 'Record adjustment' }).click();
  await dialog.getByRole('alert').filter({ hasText: /below 0/ }).waitFor();
  await dialog.getByRole('button', { name: 'Go back' }).click();

  await row.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
  dialog = page.getByRole('dialog', { name: `Adjust stock of ${sku}` });
  await dialog.getByLabel('Change in units').fill('-3');
  await dialog.getByLabel('Reason').fill('Damaged in storage');
  await dialog.getByRole('button', { name: 'Record adjustment' }).click();
  await page.getByRole('status').filter({ hasText: `${sku}: -3 recorded. 3 available now.` }).waitFor();
  await row.getByText('Low stock').waitFor();
  expect(await row.getAttribute('class')).toContain('row-low');
  await shot('14-inventory-low');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Alerts' }).click();
  await heading('Low-stock alerts').waitFor();
  const alert = page.locator(`tr[data-sku="${sku}"]`).first();
  await alert.waitFor();
  // 2 units sold in the last 7 days, 3 available: 3 / (2/7) = 10.5 days of cover.
  expect(await alert.textContent()).toContain('10.5 days');
  await shot('15-alerts');
});

test('the adjustment history lists every change with who and why', async () => {
  await page.locator(`tr[data-sku="${sku}"] a`).first().click();
  await heading(`Stock history · ${sku}`).waitFor();
  const table = page.getByRole('table', { name: `Adjustments of ${sku}` });
  await table.waitFor();
  const text = await table.textContent();
  expect(text).toContain('Opening stock from supplier');
  expect(text).toContain('Damaged in storage');
  expect(text).toContain('+8');
  expect(text).toContain('-3');
  expect(text).not.toContain('Typo'); // the refused adjustment left no trace
  // Who: the admin's email, never a bare id.
  expect(text).toContain(ADMIN);
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  // The ledger beside it lists the same adjustments as movements, with who and why. (Order movements
  // come from the change-stream consumer; the ledger's sums are proven in test/integration/inventory.)
  const movements = page.getByRole('table', { name: `Movements of ${sku}` });
  await movements.locator('tr[data-movement="adjustment"]').first().waitFor();
  const rows = await movements.locator('tr[data-movement="adjustment"]').allInnerTexts();
  expect(rows.some((r) => r.includes('+8') && r.includes('Opening stock from supplier'))).toBe(true);
  expect(rows.some((r) => r.includes('-3') && r.includes('Damaged in storage') && r.includes(ADMIN))).toBe(true);
  await shot('16-inventory-history');
});

test('a restock resolves the low-stock alert: shown as resolved, and gone from the open alerts', async () => {
  const restock = await local.api(`/admin/inventory/${sku}/adjustments`, {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delta: 10, reason: 'Restock' }),
  });
  expect(restock.status).toBe(200);
  await page.goto(appUrl('/alerts'));
  await heading('Low-stock alerts').waitFor();
  const alert = page.locator(`tr[data-sku="${sku}"]`).first();
  await alert.getByText(/^Resolved /).waitFor();
  // The box follows the URL (a controlled input): click, then see the URL and the box both change. check()
  // asserts the state at once, before a loaded machine has re-rendered.
  await page.getByLabel('Open alerts only').click();
  await page.waitForURL(/open=true/);
  await page.locator('label:has-text("Open alerts only") input:checked').waitFor();
  await page.locator(`tr[data-sku="${sku}"]`).first().waitFor({ state: 'detached' });
  const open = await adminJson<{ items: { sku: string; resolvedAt: string | null }[] }>('/admin/alerts?open=true');
  expect(open.items.some((a) => a.sku === sku)).toBe(false);
  expect(open.items.every((a) => a.resolvedAt === null)).toBe(true);
  await shot('15b-alerts-open-only');
  // The session goes on from the SKU's stock history, where the restock is listed by the admin.
  await page.goto(appUrl(`/inventory/${sku}`));
  await heading(`Stock history · ${sku}`).waitFor();
  await page.getByRole('table', { name: `Adjustments of ${sku}` }).locator('tr', { hasText: 'Restock' }).filter({ hasText: ADMIN }).waitFor();
});

test('a new location is created on the locations page, and stock is transferred to it from the inventory page', async () => {
  const locationId = `POP-${sku.slice(4, 10)}`;
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Locations' }).click();
  await heading('Locations').waitFor();
  const table = page.getByRole('table', { name: 'Stock locations' });
  await table.locator('tr[data-location="MAIN"]').waitFor();
  await table.locator('tr[data-location="EAST-DEPOT"]').waitFor(); // the seeded second location
  const form = page.getByRole('form', { name: 'New location' });
  await form.getByLabel('Location id').fill(locationId);
  await form.getByLabel('Location name').fill('Pop-up store');
  await form.getByLabel('Priority').fill('30');
  await form.getByRole('button', { name: 'Create location' }).click();
  await page.getByRole('status').filter({ hasText: `Location ${locationId} created.` }).waitFor();
  await table.locator(`tr[data-location="${locationId}"]`).getByText('Active').waitFor();
  await shot('16b-locations');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Inventory' }).click();
  await heading('Inventory').waitFor();
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await row.waitFor();
  // More than MAIN has: the API's 409 shows in the dialog and nothing moves.
  await row.getByRole('button', { name: `Transfer stock of ${sku}` }).click();
  let dialog = page.getByRole('dialog', { name: `Transfer stock of ${sku}` });
  await dialog.getByLabel('From').selectOption('MAIN');
  await dialog.getByLabel('To').selectOption(locationId);
  await dialog.getByLabel('Units').fill('1000');
  await dialog.getByLabel('Reason').fill('Too many');
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await dialog.getByRole('alert').filter({ hasText: /does not have 1000 available/ }).waitFor();
  await dialog.getByRole('button', { name: 'Go back' }).click();

  await row.getByRole('button', { name: `Transfer stock of ${sku}` }).click();
  dialog = page.getByRole('dialog', { name: `Transfer stock of ${sku}` });
  await dialog.getByLabel('From').selectOption('MAIN');
  await dialog.getByLabel('To').selectOption(locationId);
  await dialog.getByLabel('Units').fill('2');
  await dialog.getByLabel('Reason').fill('Stock the pop-up');
  await shot('16c-inventory-transfer-dialog');
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await page.getByRole('status').filter({ hasText: `${sku}: 2 moved from MAIN to ${locationId}.` }).waitFor();
  await row.locator(`[data-location="${locationId}"]`, { hasText: '2 available' }).waitFor();
  await row.locator('[data-location="MAIN"]', { hasText: '11 available' }).waitFor();
  // The SKU's total did not change; the API agrees, per location.
  await availableCell(row, '13').waitFor();
  const levels = await adminJson<{ items: { sku: string; locations: { location: string; onHand: number }[] }[] }>('/admin/inventory?limit=100');
  expect(levels.items.find((i) => i.sku === sku)!.locations).toEqual(expect.arrayContaining([expect.objectContaining({ location: locationId, onHand: 2 })]));
  await shot('16d-inventory-by-location');
  // Back where the session tests below expect the admin: the SKU's stock history (which lists the transfer).
  await row.getByRole('link', { name: `Adjustment history of ${sku}` }).click();
  await heading(`Stock history · ${sku}`).waitFor();
  await page.getByRole('table', { name: `Movements of ${sku}` }).locator('tr[data-movement="transfer"]').first().waitFor();
});

test('an access token about to expire is refreshed quietly (REFRESH_TOKEN_AUTH)', async () => {
  const stored = () => page.evaluate(() => JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage)[0]!)!) as { accessToken: string; expiresAt: number });
  const before = await stored();
  await page.evaluate(() => {
    const key = Object.keys(sessionStorage)[0]!;
    sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)!), expiresAt: Date.now() + 1000 }));
  });
  await page.reload();
  await page.getByRole('table', { name: `Adjustments of ${sku}` }).waitFor();
  const after = await stored();
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(after.expiresAt).toBeGreaterThan(Date.now() + 60_000);
  expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
});

test('an expired session goes back to sign-in and then returns to the same page', async () => {
  const here = page.url();
  // A token the API rejects and a refresh token Cognito rejects: what a revoked or lapsed session looks like.
  await page.evaluate(() => {
    const key = Object.keys(sessionStorage)[0]!;
    const session = JSON.parse(sessionStorage.getItem(key)!);
    sessionStorage.setItem(key, JSON.stringify({ ...session, accessToken: 'x.eyJleHAiOjk5OTk5OTk5OTl9.x', refreshToken: 'revoked', expiresAt: Date.now() + 3_600_000 }));
  });
  await page.reload();
  await page.getByRole('status').filter({ hasText: 'Your session has expired' }).waitFor();
  expect(page.url()).toBe(here);
  await shot('17-session-expired');
  await signIn(ADMIN);
  await heading(`Stock history · ${sku}`).waitFor();
  expect(page.url()).toBe(here);
});

test('the pages stay usable at 768 px wide', async () => {
  await page.setViewportSize({ width: 768, height: 1000 });
  for (const [route, title] of [
    ['/orders', 'Orders'],
    [`/orders/${orderId}`, /^Order #\d+$/],
    ['/overview', 'Overview'],
    ['/payments', 'Payments'],
    ['/alerts', 'Low-stock alerts'],
    ['/inventory', 'Inventory'],
    ['/products/new', 'New product'],
    ['/products', 'Products'],
    [`/inventory/${sku}`, `Stock history · ${sku}`],
    ['/locations', 'Locations'],
    ['/returns', 'Returns'],
    ['/disputes', 'Disputes'],
    ['/webhooks', 'Webhooks'],
    ['/ops', 'Ops alarms'],
  ] as const) {
    await page.goto(appUrl(route));
    await heading(title).waitFor();
    // Lists may be empty at this point of the session: then the empty state stands where the table would
    // (never an error, and never measured while still loading).
    await page.locator('table, form.card, ul.tiles, .state-empty, .state-error').first().waitFor();
    expect(await page.locator('.state-error').count()).toBe(0);
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
  }
  await shot('18-narrow-product-form');
  await page.goto(appUrl(`/orders/${orderId}`));
  await heading(/^Order #\d+$/).waitFor();
  await shot('19-narrow-order-detail');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('a product is deactivated, then deleted (no open orders)', async () => {
  const spare = `${sku}-DEL`;
  const created = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: spare, name: 'Spare', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 1 }),
  });
  expect(created.status).toBe(201);
  await page.goto(appUrl(`/products/${spare}`));
  await heading('Spare').waitFor();
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await page.getByRole('dialog', { name: `Deactivate ${spare}?` }).getByRole('button', { name: 'Deactivate' }).click();
  await page.getByRole('status').filter({ hasText: `${spare} is inactive` }).waitFor();
  await page.locator('.page-header .badge', { hasText: 'Inactive' }).waitFor();
  const deactivated = await adminJson<{ active: boolean }>(`/admin/products/${spare}`);
  expect(deactivated.active).toBe(false);
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: `Delete ${spare}?` }).getByRole('button', { name: 'Delete product' }).click();
  await page.getByRole('status').filter({ hasText: `Deleted ${spare}.` }).waitFor();
  expect(page.url()).toMatch(/#\/products$/);
  const gone = await local.api(`/admin/products/${spare}`, { as: 'admin' });
  expect(gone.status).toBe(404);
});

test('payments beyond the happy path: a 3-D Secure wait, a disputed charge and the disputes list', async () => {
  const paySku = `${sku}-PAY`;
  const product = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: paySku, name: 'Payment states product', price: { amount: 1500, currency: 'USD' }, lowStockThreshold: 0, initialStock: 5 }),
  });
  expect(product.status).toBe(201);
  const waiting = await placeOrder(paySku, 1, 'pm_card_threeDSecure2Required');
  for (let i = 0; i < 200 && (await adminJson<{ status: string }>(`/admin/orders/${waiting}`)).status !== 'PAYMENT_ACTION_REQUIRED'; i++) await page.waitForTimeout(25);
  await page.goto(appUrl(`/orders/${waiting}`));
  await page.locator('.badge', { hasText: 'Payment action required' }).first().waitFor();
  await page.locator('[aria-labelledby="card-payment"] .badge[data-status="action_required"]', { hasText: 'Action required' }).waitFor();
  await shot('19a-payment-action-required');

  const disputed = await placeOrder(paySku, 1, 'pm_card_createDispute');
  // The sandbox's "later" card effects wait inside the outbox consumer (docs/decisions.md), which delays the
  // start of this order's workflow; beside the fault matrices on two cores that passed 30 s once.
  await local.waitForExecution(disputed, 90_000);
  for (let i = 0; i < 200 && !(await adminJson<{ paymentRecord: { dispute?: unknown } }>(`/admin/orders/${disputed}`)).paymentRecord.dispute; i++) await page.waitForTimeout(50);
  await page.goto(appUrl('/disputes?status=needs_response'));
  await heading('Disputes').waitFor();
  const row = page.locator(`tr[data-order-id="${disputed}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain('Fraudulent');
  await shot('19b-disputes');
  await row.getByRole('link').click();
  const paymentCard = page.locator('[aria-labelledby="card-payment"]');
  await paymentCard.getByText('Dispute', { exact: true }).waitFor();
  await paymentCard.locator('.badge[data-status="needs_response"]', { hasText: 'Needs response' }).waitFor();
  await paymentCard.getByText('Evidence due', { exact: false }).waitFor();
  await shot('19c-disputed-order');

  // Leave nothing waiting: the customer cancels the 3-D Secure order.
  expect((await local.api(`/orders/${waiting}/cancel`, { as: 'customer', method: 'POST' })).status).toBe(200);
});

test('signing out clears the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  await page.reload();
  await heading('Sign in to the admin dashboard').waitFor();
  await shot('20-signed-out');
});

test('an admin with an authenticator app signs in with its TOTP code (as the AWS admin pool requires)', async () => {
  // Enrol the admin's TOTP the way AWS does for a signed-in user (cognito-local implements these calls).
  const cognitoCall = async (target: string, body: unknown) => {
    const res = await fetch(local.stack.cognito.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
      body: JSON.stringify(body),
    });
    expect({ target, status: res.status }).toEqual({ target, status: 200 });
    return (await res.json()) as Record<string, string>;
  };
  const totp = { generate: (secret: string) => totpCode(secret) };
  // Local mode's pool leaves MFA off; the AWS admin pool requires it. Let this pool ask for it (optional).
  const { userPoolId } = local.stack.cognito;
  const previous = await cognitoCall('GetUserPoolMfaConfig', { UserPoolId: userPoolId });
  await cognitoCall('SetUserPoolMfaConfig', { UserPoolId: userPoolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
  const accessToken = await local.token('admin');
  const { SecretCode } = await cognitoCall('AssociateSoftwareToken', { AccessToken: accessToken });
  await cognitoCall('VerifySoftwareToken', { AccessToken: accessToken, UserCode: totp.generate(SecretCode) });
  try {
    await page.goto(appUrl('/inventory'));
    await heading('Sign in to the admin dashboard').waitFor();
    await signIn(ADMIN);
    await heading('Enter your authenticator code').waitFor();
    const codeField = page.getByLabel('Authentication code');
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    const valid = totp.generate(SecretCode);
    await codeField.fill(valid === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await codeField.fill(totp.generate(SecretCode));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await heading(/Inventory/).waitFor();
    await shot('21-signed-in-with-totp');
  } finally {
    await cognitoCall('SetUserMFAPreference', { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } });
    await cognitoCall('SetUserPoolMfaConfig', { UserPoolId: userPoolId, MfaConfiguration: (previous as { MfaConfiguration?: string }).MfaConfiguration ?? 'OFF' });
  }
});

test('every event of this session emailed its customer exactly once, of the right kind, named by order number', async () => {
  const { simpleParser } = require('mailparser') as typeof import('mailparser');
  const dir = path.join(local.stack.dataDir, 'outbox');
  // Shipped, refunded twice by admins (0.29 in the dialog, the rest behind its back), delivered, a return at each
  // of its steps (its refund told by return-refunded alone); the held order paid then cancelled; each declined
  // order failed.
  const expected = new Map<string, string[]>([
    [orderId, ['confirmation', 'delivered', 'refunded', 'refunded', 'return-approved', 'return-received', 'return-refunded', 'return-requested', 'shipped']],
    [heldOrderId, ['cancelled', 'confirmation']],
    ...declinedIds.map((id): [string, string[]] => [id, ['failed']]),
  ]);
  const read = async () => {
    const { readdir } = require('node:fs/promises') as typeof import('node:fs/promises');
    const mails = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.eml')).map(async (f) => simpleParser(await readFile(path.join(dir, f)))));
    return mails.filter((m) => expected.has(String(m.headers.get('x-order-id'))));
  };
  const kinds = (mails: Awaited<ReturnType<typeof read>>) =>
    Object.fromEntries([...expected.keys()].map((id) => [id, mails.filter((m) => m.headers.get('x-order-id') === id).map((m) => String(m.headers.get('x-notification-kind'))).sort()]));
  // Sent by the outbox consumer from the change stream: wait for it to catch up, then check once more.
  const deadline = Date.now() + 30_000;
  let mails = await read();
  while (JSON.stringify(kinds(mails)) !== JSON.stringify(Object.fromEntries(expected)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    mails = await read();
  }
  await new Promise((r) => setTimeout(r, 1000));
  mails = await read();
  expect(kinds(mails)).toEqual(Object.fromEntries(expected));
  for (const id of expected.keys()) {
    const { number } = await adminJson<{ number: number }>(`/admin/orders/${id}`);
    for (const mail of mails.filter((m) => m.headers.get('x-order-id') === id)) {
      expect(mail.subject).toContain(`#${number}`);
      expect(mail.text).toBeTruthy();
      expect(mail.html).toBeTruthy(); // multipart: plain text and HTML
    }
  }
  const refunds = mails.filter((m) => m.headers.get('x-order-id') === orderId && m.headers.get('x-notification-kind') === 'refunded');
  expect(refunds.map((m) => m.text).join('\n')).toContain('$0.29');
  // And the refunds entered the order's timeline once each.
  const order = await adminJson<{ timeline: { reason: string }[] }>(`/admin/orders/${orderId}`);
  expect(order.timeline.filter((e) => /^Refunded .* \(refund \d+\)$/.test(e.reason)).map((e) => e.reason)).toEqual(['Refunded $0.29 (refund 1)', 'Refunded $15.50 (refund 2)', 'Refunded $15.21 (refund 3)']);
}, 60_000);
