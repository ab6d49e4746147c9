import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../functions/commons/clients';
import { routes, type Route } from '../../lib/routes';
import { securityHeaders } from '../../dashboard/security-headers';
import { dashboardConnectSources } from '../../local/gateway';
import { useLocalStack, type DemoUser } from '../support/local-stack';

/**
 * Personal data and hardening against the whole local stack: signed cursors on every list, redacted request
 * logs, CORS without credentials, no-store, the dashboard's headers, and the GDPR export/erase round trip
 * with the audit log.
 */
const requestLog: string[] = [];
const local = useLocalStack({ log: (line) => requestLog.push(line) });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const listRoutes = routes.filter((r) => r.needs?.includes('cursors'));
const who = (route: Route): DemoUser | undefined => (route.auth === 'admin' ? 'admin' : route.auth === 'customer' ? 'customer' : undefined);
const listPath = (route: Route) => route.path.replace('{sku}', 'LAMP-DESK').replace('{id}', 'wh_none');

describe('tamper-proof cursors on every list route', () => {
  it('covers every route whose handler pages (uses pageQuery), and those routes get the cursor key on AWS', () => {
    const paging = routes.filter((r) => readFileSync(path.resolve(__dirname, '../..', r.entry), 'utf8').includes('pageQuery'));
    expect(listRoutes.map((r) => r.name).sort()).toEqual(paging.map((r) => r.name).sort());
    expect(listRoutes.map((r) => r.name).sort()).toEqual(
      ['AdminListAdjustments', 'AdminListAlerts', 'AdminListAudit', 'AdminListDisputes', 'AdminListInventory', 'AdminListMovements', 'AdminListOrders', 'AdminListPayments', 'AdminListProducts', 'AdminListReturns', 'AdminListWebhookDeliveries', 'ListMyOrders', 'ListProducts'],
    );
  });

  it('GET /products with a cursor of numeric key values is a 400 problem, not a 500', async () => {
    const res = await local.api(`/products?cursor=${b64({ pk: 1, sk: 2, gsi1pk: 3, gsi1sk: 4 })}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as any).errors).toEqual([{ path: 'cursor', message: 'invalid cursor' }]);
  });

  it.each(listRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: numeric, forged and altered cursors → 400', async (_, route) => {
    // A real cursor, altered by one character in its payload.
    const page = (await (await local.api('/products?limit=1')).json()) as { nextCursor: string };
    expect(page.nextCursor).toEqual(expect.any(String));
    const [payload, mac] = page.nextCursor.split('.');
    const altered = `${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${mac}`;
    const forged = `${b64({ pk: 'PRODUCT#X', sk: 'PRODUCT' })}.${randomBytes(32).toString('base64url')}`;
    const numeric = b64({ pk: 1, sk: 2 });
    for (const cursor of [numeric, forged, altered]) {
      const res = await local.api(`${listPath(route)}?cursor=${encodeURIComponent(cursor)}`, { as: who(route) });
      expect({ cursor, status: res.status, type: res.headers.get('content-type') }).toEqual({ cursor, status: 400, type: 'application/problem+json' });
    }
  });
});

describe('the local gateway', () => {
  it('logs request lines without query-string values', async () => {
    await local.api('/admin/orders?email=log-canary%40example.com&status=PAID', { as: 'admin' });
    const line = requestLog.find((l) => l.includes('/admin/orders?email'));
    expect(line).toMatch(/^GET \/admin\/orders\?email=…&status=… → 200/);
    expect(requestLog.join('\n')).not.toContain('log-canary');
  });

  it('answers CORS for a local dashboard origin without Access-Control-Allow-Credentials', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await local.api('/orders', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const actual = await local.api('/products', { headers: { origin } });
    for (const res of [preflight, actual]) {
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('serves the dashboard with the same security headers CloudFront sends (dashboard/security-headers.ts)', async () => {
    const config = await (await local.api('/config.json')).json();
    const expected = securityHeaders(dashboardConnectSources(config), { https: false });
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']));
    for (const page of ['/', '/config.json']) {
      const res = await local.api(page, { headers: { accept: 'text/html' } });
      for (const [name, value] of Object.entries(expected)) expect({ page, name, value: res.headers.get(name) }).toEqual({ page, name, value });
    }
  });

  it('every customer and admin response is no-store; public catalogue responses are not', async () => {
    expect((await local.api('/orders', { as: 'customer' })).headers.get('cache-control')).toBe('no-store');
    expect((await local.api('/admin/orders', { as: 'admin' })).headers.get('cache-control')).toBe('no-store');
    expect((await local.api('/admin/orders/no-such-id', { as: 'admin' })).headers.get('cache-control')).toBe('no-store');
    expect((await local.api('/products')).headers.get('cache-control')).toBeNull();
  });
});

describe('GDPR export and erase, audited', () => {
  const canary = {
    name: 'Ottilie Erasmussen',
    email: 'erase-canary-5150@example.com',
    phone: '+45 20 30 40 50',
    line1: '5 Forgetful Street',
    line2: 'Flat 3B',
  };
  const key = `gdpr-${process.pid}`;
  const orderBody = JSON.stringify({
    customer: { name: canary.name, email: canary.email, phone: canary.phone },
    shippingAddress: { name: canary.name, line1: canary.line1, line2: canary.line2, city: 'Aarhus', postalCode: '8000', country: 'DK' },
    items: [{ sku: 'LAMP-DESK', quantity: 1 }],
    payment: { paymentMethodId: 'pm_card_visa' },
  });
  const mentionsCanary = (text: string) => Object.values(canary).filter((v) => text.toLowerCase().includes(v.toLowerCase()));
  let userId: string;
  let orderId: string;

  it('exports everything held, refuses erasure while an order is open, then erases all but what the books need', async () => {
    const products = (await (await local.api('/products?limit=100')).json()) as { items: { sku: string }[] };
    expect(products.items.map((p) => p.sku)).toContain('LAMP-DESK');
    userId = JSON.parse(Buffer.from((await local.token('customer')).split('.')[1], 'base64url').toString()).sub;

    const placed = await local.api('/orders', { as: 'customer', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: orderBody });
    expect(placed.status).toBe(202);
    orderId = ((await placed.json()) as { id: string }).id;
    expect((await local.waitForExecution(orderId)).status).toBe('SUCCEEDED');

    // SHIPPED is still open (not delivered): erasure must wait.
    const early = await local.api(`/admin/customers/${userId}/erase`, { as: 'admin', method: 'POST' });
    expect(early.status).toBe(409);
    expect(((await early.json()) as any).detail).toContain(orderId);
    expect((await local.api(`/admin/orders/${orderId}/delivered`, { as: 'admin', method: 'POST' })).status).toBe(200);

    const exported = await local.api(`/admin/customers/${userId}/export`, { as: 'admin' });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('cache-control')).toBe('no-store');
    const data = (await exported.json()) as any;
    const order = data.orders.find((o: any) => o.id === orderId);
    expect(order.customer).toEqual({ name: canary.name, email: canary.email, phone: canary.phone });
    expect(data.addresses).toContainEqual(expect.objectContaining({ line1: canary.line1, country: 'DK' }));
    const payment = data.payments.find((p: any) => p.orderId === orderId || JSON.stringify(p).includes(orderId));
    expect(payment).toBeDefined();
    const mails = data.emails.filter((e: any) => e.file.includes(orderId));
    expect(mails.length).toBeGreaterThanOrEqual(2); // confirmation, shipped, delivered…
    expect(data.notifications.length).toBeGreaterThanOrEqual(2);

    // Right after DELIVERED its email may still be on its way (the outbox): erasure waits for it (409), then goes.
    let erased = await local.api(`/admin/customers/${userId}/erase`, { as: 'admin', method: 'POST' });
    for (let i = 0; i < 100 && erased.status === 409; i++) {
      expect(((await erased.json()) as { type: string }).type).toBe('/problems/customer-orders-settling');
      await new Promise((r) => setTimeout(r, 50));
      erased = await local.api(`/admin/customers/${userId}/erase`, { as: 'admin', method: 'POST' });
    }
    expect(erased.status).toBe(200);
    expect(erased.headers.get('cache-control')).toBe('no-store');
    expect(await erased.json()).toMatchObject({ userId, itemsChanged: expect.any(Number), idempotencyRecords: expect.any(Number) });

    // Nothing personal is left: not in the export, the tables, the idempotency records or the outbox.
    const after = (await (await local.api(`/admin/customers/${userId}/export`, { as: 'admin' })).json()) as any;
    expect(mentionsCanary(JSON.stringify(after))).toEqual([]);
    const erasedOrder = after.orders.find((o: any) => o.id === orderId);
    expect(erasedOrder.customer).toEqual({ name: '[erased]', email: 'erased@erased.invalid', phone: '[erased]' });
    expect(erasedOrder.shippingAddress).toEqual({ name: '[erased]', line1: '[erased]', line2: '[erased]', city: 'Aarhus', postalCode: '8000', country: 'DK' });
    // What the books need is kept: totals, dates, status, country, payment ids.
    expect(erasedOrder).toMatchObject({ total: order.total, createdAt: order.createdAt, status: 'DELIVERED', items: order.items });
    const paymentAfter = after.payments.find((p: any) => JSON.stringify(p).includes(orderId));
    expect(paymentAfter.intentId ?? paymentAfter.paymentIntentId).toBe(payment.intentId ?? payment.paymentIntentId);
    expect(paymentAfter.intentId ?? paymentAfter.paymentIntentId).toEqual(expect.any(String));

    const scan = async (TableName: string) => JSON.stringify((await ddb().send(new ScanCommand({ TableName }))).Items);
    expect(mentionsCanary(await scan(local.stack.tableNames.main))).toEqual([]);
    expect(mentionsCanary(await scan(local.stack.tableNames.idempotency))).toEqual([]);
    const outbox = path.join(local.stack.dataDir, 'outbox');
    for (const file of readdirSync(outbox).filter((f) => f.includes(orderId))) {
      expect({ file, found: mentionsCanary(readFileSync(path.join(outbox, file), 'utf8')) }).toEqual({ file, found: [] });
    }
    // Not findable by the old email any more.
    const byEmail = (await (await local.api(`/admin/orders?email=${encodeURIComponent(canary.email)}`, { as: 'admin' })).json()) as any;
    expect(byEmail.items).toEqual([]);
    // The client's retry of the original request still gets its order back, now without the personal data.
    const retry = await local.api('/orders', { as: 'customer', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: orderBody });
    const retried = await retry.text();
    expect(retried).toContain(orderId);
    expect(mentionsCanary(retried)).toEqual([]);

    // Erasing again changes nothing more.
    expect(await (await local.api(`/admin/customers/${userId}/erase`, { as: 'admin', method: 'POST' })).json()).toMatchObject({ itemsChanged: 0, idempotencyRecords: 0, emails: 0 });
  }, 90_000);

  it('both are in the audit log, which verifies', async () => {
    const audit = (await (await local.api('/admin/audit?limit=100', { as: 'admin' })).json()) as any;
    const mine = audit.items.filter((e: any) => e.target === `customer:${userId}`).map((e: any) => e.action);
    expect(mine).toEqual(expect.arrayContaining(['customer.export', 'customer.erase']));
    expect(audit.items.find((e: any) => e.action === 'order.deliver' && e.target === `order:${orderId}`)).toBeDefined();
    expect(mentionsCanary(JSON.stringify(audit))).toEqual([]);
    expect(await (await local.api('/admin/audit/verify', { as: 'admin' })).json()).toEqual({ valid: true, entries: expect.any(Number) });
  });

  it('an unknown or impossible customer id is a 404 / an empty export, never a 5xx', async () => {
    expect((await local.api(`/admin/customers/${'x'.repeat(300)}/export`, { as: 'admin' })).status).toBe(404);
    const none = await local.api('/admin/customers/no-such-user/export', { as: 'admin' });
    expect(none.status).toBe(200);
    expect(((await none.json()) as any).orders).toEqual([]);
  });
});
