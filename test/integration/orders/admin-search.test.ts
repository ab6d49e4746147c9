/**
 * GET /admin/orders?q=, /admin/orders/export and /admin/overview against DynamoDB Local, through the real
 * handlers (auth, validation, problem+json).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handler as listOrders } from '../../../functions/api/admin-list-orders';
import { handler as exportOrders } from '../../../functions/api/admin-export-orders';
import { handler as overview } from '../../../functions/api/admin-overview';
import { orderStore } from '../../../functions/adapters/order-store';
import { productStore } from '../../../functions/adapters/product-store';
import type { Order } from '../../../functions/domain/order';
import { httpEvent } from '../payments/support/fixtures';
import { tableSnapshot, useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();

const context = { functionName: 't', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
async function call(handler: Handler, path: string, query: Record<string, string> = {}, groups: string[] | null = ['admin']) {
  const r = (await handler(httpEvent({ method: 'GET', path, query, groups: groups ?? undefined }), context)) as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: r.statusCode, headers: r.headers ?? {}, text: r.body, json: () => JSON.parse(r.body) };
}

let n = 5000;
async function order(over: Partial<Order> & { name?: string; email?: string; day: string }): Promise<Order> {
  const { name = 'Ada Lovelace', email = 'ada@example.com', day, ...rest } = over;
  const at = `${day}T12:00:${String(n % 60).padStart(2, '0')}.000Z`;
  const o: Order = {
    id: randomUUID(),
    number: n++,
    userId: 'u-1',
    status: 'PAID',
    customer: { name, email },
    shippingAddress: { line1: '1 Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [{ sku: 'W-1', name: 'Widget', quantity: 2, unitPrice: { amount: 2500, currency: 'USD' }, lineTotal: { amount: 5000, currency: 'USD' } }],
    total: { amount: 5000, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: 'RESERVED',
    timeline: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...rest,
  };
  await orderStore.create(o);
  return o;
}

const captured = (amountRefunded = 0): Order['payment'] => ({ provider: 'sandbox', status: amountRefunded ? 'partially_refunded' : 'captured', amount: { amount: 5000, currency: 'USD' }, amountRefunded });

let zoe: Order, zola: Order, bob: Order, yen: Order, failed: Order, cancelled: Order, digits: Order;
beforeAll(async () => {
  zoe = await order({ name: 'Zoë Adams', email: 'zoe@example.org', day: '2026-11-20', status: 'SHIPPED', payment: captured() });
  zola = await order({ name: 'zola Brandt', email: 'z.brandt@example.com', day: '2026-11-21', status: 'DELIVERED', payment: captured(1500) });
  bob = await order({ name: 'Bob Stone', email: 'ZOEfan@example.net', day: '2026-11-22' });
  yen = await order({ name: 'Taro Yamada', email: 'taro@example.jp', day: '2026-11-22', status: 'SHIPPED', total: { amount: 1500, currency: 'JPY' }, payment: { provider: 'sandbox', status: 'captured', amount: { amount: 1500, currency: 'JPY' } } });
  failed = await order({ name: '=HYPERLINK("x")', email: 'eve@example.com', day: '2026-11-23', status: 'FAILED', failureReason: 'PAYMENT_DECLINED' });
  cancelled = await order({ name: 'Carl "The" Cancel, Jr.', email: 'carl@example.com', day: '2026-11-23', status: 'CANCELLED' });
  digits = await order({ id: '13657145-7419-4580-84ec-298c8a980fd5', name: 'Dee Digits', email: 'dee@example.com', day: '2026-11-19' });
  const now = new Date().toISOString();
  await productStore.create({ sku: 'LOW-1', name: 'Low', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 5, active: true, createdAt: now, updatedAt: now }, 2, 'test');
  await productStore.create({ sku: 'OK-1', name: 'Fine', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 5, active: true, createdAt: now, updatedAt: now }, 50, 'test');
});

const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

describe('GET /admin/orders?q=', () => {
  it.each([
    ['number', () => String(zola.number), () => [zola.id]],
    ['#number', () => `#${bob.number}`, () => [bob.id]],
    ['order id', () => zoe.id, () => [zoe.id]],
    ['order id in capitals', () => zoe.id.toUpperCase(), () => [zoe.id]],
    ['8-character id prefix', () => failed.id.slice(0, 8), () => [failed.id]],
    // Digits only: as much an order number as the start of an id (ids are hex).
    ['8-character id prefix of digits only', () => digits.id.slice(0, 8), () => [digits.id]],
    ['name prefix, any case', () => 'ZOL', () => [zola.id]],
    ['name prefix with accents', () => 'zoë', () => [zoe.id]],
    ['email prefix, any case (and name "Zo…" too)', () => 'zoe', () => [bob.id, zoe.id]],
  ])('by %s', async (_what, q, expected) => {
    const r = await call(listOrders, '/admin/orders', { q: q() });
    expect(r.status).toBe(200);
    expect(ids(r.json())).toEqual(expected());
    expect(r.json().items[0].number).toEqual(expect.any(Number));
  });

  it('combines with status, email and dates', async () => {
    expect(ids((await call(listOrders, '/admin/orders', { q: 'zoe', status: 'SHIPPED' })).json())).toEqual([zoe.id]);
    expect(ids((await call(listOrders, '/admin/orders', { q: 'zoe', from: '2026-11-22' })).json())).toEqual([bob.id]);
    expect(ids((await call(listOrders, '/admin/orders', { q: 'bob', email: 'zoefan@example.net' })).json())).toEqual([bob.id]);
    expect(ids((await call(listOrders, '/admin/orders', { q: 'zoef', email: 'zoefan@example.net' })).json())).toEqual([bob.id]);
    expect(ids((await call(listOrders, '/admin/orders', { q: 'zol', email: 'zoefan@example.net' })).json())).toEqual([]);
    expect(ids((await call(listOrders, '/admin/orders', { q: zoe.id, status: 'FAILED' })).json())).toEqual([]);
  });

  it('pages through the matches with a cursor, newest first, to the end', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await call(listOrders, '/admin/orders', { q: 'zoe', limit: '1', ...(cursor ? { cursor } : {}) })).json();
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([bob.id, zoe.id]);
  });

  it('refuses a q that is too short or too long, and non-admins, changing nothing', async () => {
    const before = await tableSnapshot();
    for (const q of ['zo', ' a ', 'x'.repeat(300)]) {
      const r = await call(listOrders, '/admin/orders', { q });
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.json().errors[0].path).toBe('q');
    }
    expect((await call(listOrders, '/admin/orders', { q: 'zoe' }, ['customers'])).status).toBe(403);
    expect((await call(listOrders, '/admin/orders', { q: 'zoe' }, null)).status).toBe(401);
    expect(await tableSnapshot()).toEqual(before);
  });

});

describe('GET /admin/orders?needsAttention=true (the overview queue links here)', () => {
  const day = '2026-10-05';
  let flagged: Order, flaggedCancelled: Order, fine: Order;
  beforeAll(async () => {
    const flag = { reason: 'Compensation failed: the refund was refused', since: `${day}T13:00:00.000Z` };
    flagged = await order({ name: 'Nia Attention', email: 'nia@example.com', day, status: 'FAILED', needsAttention: flag });
    flaggedCancelled = await order({ name: 'Otto Attention', email: 'otto@example.com', day, status: 'CANCELLED', needsAttention: flag });
    fine = await order({ name: 'Pia Fine', email: 'pia@example.com', day, status: 'CANCELLED' });
  });

  it('lists only flagged orders, newest first, and combines with status, q, dates and the id lookup', async () => {
    const all = await call(listOrders, '/admin/orders', { needsAttention: 'true' });
    expect(all.status).toBe(200);
    expect(ids(all.json())).toEqual([flaggedCancelled.id, flagged.id]);
    expect(all.json().items[0].needsAttention).toMatchObject({ reason: expect.stringContaining('Compensation failed') });
    expect(ids((await call(listOrders, '/admin/orders', { needsAttention: 'true', status: 'CANCELLED' })).json())).toEqual([flaggedCancelled.id]);
    expect(ids((await call(listOrders, '/admin/orders', { needsAttention: 'true', q: 'nia' })).json())).toEqual([flagged.id]);
    expect(ids((await call(listOrders, '/admin/orders', { needsAttention: 'true', from: '2026-11-01' })).json())).toEqual([]);
    expect(ids((await call(listOrders, '/admin/orders', { needsAttention: 'true', q: fine.id })).json())).toEqual([]);
    expect(ids((await call(listOrders, '/admin/orders', { needsAttention: 'true', q: flagged.id })).json())).toEqual([flagged.id]);
    // Without the filter the unflagged order is there too.
    expect(ids((await call(listOrders, '/admin/orders', { from: day, to: day })).json())).toEqual([fine.id, flaggedCancelled.id, flagged.id]);
  });

  it('exports only flagged orders as CSV, and refuses any value but "true" with 400', async () => {
    const r = await call(exportOrders, '/admin/orders/export', { needsAttention: 'true', from: day, to: day });
    expect(r.status).toBe(200);
    expect(r.text.trimEnd().split('\r\n').slice(1).map((row) => row.split(',')[1])).toEqual([flaggedCancelled.id, flagged.id]);
    for (const value of ['false', '1', '']) {
      const bad = await call(listOrders, '/admin/orders', { needsAttention: value });
      expect(bad.status).toBe(400);
      expect(bad.json().errors[0].path).toBe('needsAttention');
    }
  });
});

describe('GET /admin/orders/export', () => {
  it('is CSV with the header of SPEC.md, one row per order, money as decimals, formulas neutralised', async () => {
    const r = await call(exportOrders, '/admin/orders/export', { from: '2026-11-20', to: '2026-11-23' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="orders-.*\.csv"/);
    const rows = r.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('number,id,placedAt,status,customerName,email,lines,total,currency,captured,refunded');
    expect(rows).toHaveLength(7);
    expect(rows).toContain(`${zola.number},${zola.id},${zola.createdAt},DELIVERED,zola Brandt,z.brandt@example.com,2,50.00,USD,50.00,15.00`);
    expect(rows).toContain(`${yen.number},${yen.id},${yen.createdAt},SHIPPED,Taro Yamada,taro@example.jp,2,1500,JPY,1500,0`);
    expect(rows).toContain(`${failed.number},${failed.id},${failed.createdAt},FAILED,"'=HYPERLINK(""x"")",eve@example.com,2,50.00,USD,0.00,0.00`);
    expect(rows).toContain(`${cancelled.number},${cancelled.id},${cancelled.createdAt},CANCELLED,"Carl ""The"" Cancel, Jr.",carl@example.com,2,50.00,USD,0.00,0.00`);
  });

  it('filters by status and date', async () => {
    const r = await call(exportOrders, '/admin/orders/export', { status: 'SHIPPED', from: '2026-11-21' });
    const rows = r.text.trimEnd().split('\r\n');
    expect(rows.slice(1).map((row) => row.split(',')[1])).toEqual([yen.id]);
  });

  it('refuses unknown parameters and a reversed range with 400', async () => {
    expect((await call(exportOrders, '/admin/orders/export', { q: 'zoe' })).status).toBe(400);
    expect((await call(exportOrders, '/admin/orders/export', { from: '2026-11-23', to: '2026-11-20' })).status).toBe(400);
    expect((await call(exportOrders, '/admin/orders/export', {}, ['customers'])).status).toBe(403);
  });
});

describe('GET /admin/overview', () => {
  it('counts, revenue (captured − refunded) and average per currency, per day, and the attention queue', async () => {
    const r = await call(overview, '/admin/overview', { from: '2026-11-20', to: '2026-11-23' });
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-23T23:59:59.999Z',
      ordersPlaced: 6,
      ordersShipped: 3,
      ordersCancelled: 1,
      ordersFailed: 1,
      revenue: [{ amount: 1500, currency: 'JPY' }, { amount: 8500, currency: 'USD' }],
      averageOrderValue: [{ amount: 1500, currency: 'JPY' }, { amount: 4250, currency: 'USD' }],
      needsAttention: { orders: 0, lowStock: 1, disputes: 0 },
    });
    expect(body.perDay).toEqual([
      { date: '2026-11-20', orders: 1, revenue: [{ amount: 5000, currency: 'USD' }] },
      { date: '2026-11-21', orders: 1, revenue: [{ amount: 3500, currency: 'USD' }] },
      { date: '2026-11-22', orders: 2, revenue: [{ amount: 1500, currency: 'JPY' }] },
      { date: '2026-11-23', orders: 2, revenue: [] },
    ]);
  });

  it('defaults to the last 7 days, today included', async () => {
    const body = (await call(overview, '/admin/overview')).json();
    expect(body.perDay).toHaveLength(7);
    expect(body.perDay[6].date).toBe(new Date().toISOString().slice(0, 10));
  });

  it('refuses a range over a year (422) and a bad date (400)', async () => {
    expect((await call(overview, '/admin/overview', { from: '2024-01-01', to: '2026-01-01' })).status).toBe(422);
    expect((await call(overview, '/admin/overview', { from: 'yesterday' })).status).toBe(400);
  });
});
