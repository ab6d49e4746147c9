import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';

/** Products, inventory, alerts and admin order views of SPEC.md over HTTP, with real tokens. */
const local = useLocalStack();

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const patch = (body: unknown) => ({ method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sku = (name: string) => `${name}-${process.pid}`;

describe('admin products', () => {
  it('create, read, edit, list, and 409 on an existing SKU', async () => {
    const code = sku('LAMP');
    const created = await local.api('/admin/products', { as: 'admin', ...json({ sku: code, name: 'Lamp', description: 'Bright', price: { amount: 4900, currency: 'USD' }, lowStockThreshold: 3, initialStock: 10 }) });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/admin/products/${code}`);
    expect(await created.json()).toMatchObject({ sku: code, active: true, inventory: { onHand: 10, reserved: 0, available: 10, low: false } });

    const again = await local.api('/admin/products', { as: 'admin', ...json({ sku: code, name: 'Lamp', price: { amount: 1, currency: 'USD' }, lowStockThreshold: 0 }) });
    expect(again.status).toBe(409);

    const edited = await local.api(`/admin/products/${code}`, { as: 'admin', ...patch({ name: 'Desk lamp', price: { amount: 5900, currency: 'USD' } }) });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ name: 'Desk lamp', price: { amount: 5900 } });

    const publicView = (await (await local.api(`/products/${code}`)).json()) as Record<string, unknown>;
    expect(publicView).toEqual({ sku: code, name: 'Desk lamp', description: 'Bright', price: { amount: 5900, currency: 'USD' }, available: 10 });

    const bad = await local.api(`/admin/products/${code}`, { as: 'admin', ...patch({ price: { amount: -1, currency: 'USD' }, colour: 'red' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['price.amount']));
    expect(((await (await local.api(`/admin/products/${code}`, { as: 'admin' })).json()) as { price: { amount: number } }).price.amount).toBe(5900);
  });

  it('deactivated products leave the public catalogue; deleting one with open orders deactivates it', async () => {
    const code = sku('HELD');
    await local.api('/admin/products', { as: 'admin', ...json({ sku: code, name: 'Held', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 0, initialStock: 5 }) });
    // Hold stock with an order parked in the cancellation window.
    process.env.ORDER_HOLD_SECONDS = '30';
    const order = await local.api('/orders', {
      as: 'customer',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `held-${process.pid}` },
      body: JSON.stringify({ customer: { name: 'A', email: 'a@example.com' }, shippingAddress: { line1: 'x', city: 'y', postalCode: '1', country: 'FR' }, items: [{ sku: code, quantity: 1 }], payment: { paymentMethodId: 'pm_card_visa' } }),
    });
    process.env.ORDER_HOLD_SECONDS = '0';
    const { id } = (await order.json()) as { id: string };
    for (let i = 0; i < 100; i++) {
      const inv = ((await (await local.api(`/admin/products/${code}`, { as: 'admin' })).json()) as any).inventory;
      if (inv.reserved === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const del = await local.api(`/admin/products/${code}`, { as: 'admin', method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ sku: code, active: false });
    expect((await local.api(`/products/${code}`)).status).toBe(404);
    const publicList = (await (await local.api('/products?limit=100')).json()) as { items: { sku: string }[] };
    expect(publicList.items.map((p) => p.sku)).not.toContain(code);

    // Once the order is cancelled nothing holds the stock: now it is deleted.
    expect((await local.api(`/admin/orders/${id}/cancel`, { as: 'admin', method: 'POST' })).status).toBe(200);
    expect((await local.api(`/admin/products/${code}`, { as: 'admin', method: 'DELETE' })).status).toBe(204);
    expect((await local.api(`/admin/products/${code}`, { as: 'admin' })).status).toBe(404);
  });

  it('lists paginate with limit and an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await local.api(`/admin/products?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: 'admin' });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { sku: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((p) => p.sku));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(8); // the seeded catalogue and more
  });
});

describe('admin inventory and alerts', () => {
  it('adjustments keep who/when/why, refuse to go below reserved, and crossing the threshold alerts once', async () => {
    const code = sku('STOCK');
    await local.api('/admin/products', { as: 'admin', ...json({ sku: code, name: 'Stocked thing', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 5, initialStock: 8 }) });

    const down = await local.api(`/admin/inventory/${code}/adjustments`, { as: 'admin', ...json({ delta: -4, reason: 'Damaged in storage' }) });
    expect(down.status).toBe(200);
    expect(await down.json()).toMatchObject({ sku: code, onHand: 4, reserved: 0, available: 4, low: true });

    const tooMuch = await local.api(`/admin/inventory/${code}/adjustments`, { as: 'admin', ...json({ delta: -5, reason: 'Count' }) });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.headers.get('content-type')).toBe('application/problem+json');

    const invalid = await local.api(`/admin/inventory/${code}/adjustments`, { as: 'admin', ...json({ delta: 0 }) });
    expect(invalid.status).toBe(400);
    expect((await local.api(`/admin/inventory/NOPE-${process.pid}/adjustments`, { as: 'admin', ...json({ delta: 1, reason: 'x' }) })).status).toBe(404);

    const history = (await (await local.api(`/admin/inventory/${code}/adjustments`, { as: 'admin' })).json()) as { items: any[] };
    // "Who" is the signed-in admin's email (read from cognito-local with the admin's own access token, which
    // carries only the opaque username), never that bare id.
    const adminToken = await local.token('admin');
    const claims = JSON.parse(Buffer.from(adminToken.split('.')[1]!, 'base64url').toString()) as { username: string; email?: string };
    expect(claims.email).toBeUndefined();
    expect(history.items.map((a) => [a.delta, a.reason, a.by])).toEqual([
      [-4, 'Damaged in storage', 'admin:admin@example.com'],
      [8, 'Opening stock', 'admin:admin@example.com'],
    ]);
    expect(JSON.stringify(history.items)).not.toContain(claims.username);
    expect(history.items[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const alerts = (await (await local.api('/admin/alerts', { as: 'admin' })).json()) as { items: any[] };
    const mine = alerts.items.filter((a) => a.sku === code);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ name: 'Stocked thing', available: 4, threshold: 5 });

    // Published (by the outbox, from the committed alert) to the local sink a person can read.
    const sink = path.join(local.stack.dataDir, 'alerts', 'alerts.log');
    for (let i = 0; i < 200 && !(existsSync(sink) && readFileSync(sink, 'utf8').includes(code)); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(sink)).toBe(true);
    expect(readFileSync(sink, 'utf8')).toContain(code);

    const levels = (await (await local.api('/admin/inventory?limit=100', { as: 'admin' })).json()) as { items: any[] };
    expect(levels.items.find((l) => l.sku === code)).toEqual({
      sku: code, onHand: 4, reserved: 0, available: 4, lowStockThreshold: 5, low: true,
      locations: [{ location: 'MAIN', onHand: 4, reserved: 0, available: 4 }],
    });
  });
});

describe('admin orders', () => {
  it('filter by status, email and date; the detail has payment, shipment and the timeline', async () => {
    const code = sku('ADMINORD');
    await local.api('/admin/products', { as: 'admin', ...json({ sku: code, name: 'Thing', price: { amount: 1500, currency: 'EUR' }, lowStockThreshold: 0, initialStock: 10 }) });
    const email = `filter-${process.pid}@example.com`;
    const res = await local.api('/orders', {
      as: 'customer',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `admin-orders-${process.pid}` },
      body: JSON.stringify({ customer: { name: 'Filter Me', email }, shippingAddress: { line1: '2 Rue', city: 'Paris', postalCode: '75001', country: 'FR' }, items: [{ sku: code, quantity: 2 }], payment: { paymentMethodId: 'pm_card_mastercard' } }),
    });
    const { id, createdAt } = (await res.json()) as { id: string; createdAt: string };
    await local.waitForExecution(id);

    const byEmail = (await (await local.api(`/admin/orders?email=${encodeURIComponent(email.toUpperCase())}`, { as: 'admin' })).json()) as { items: any[] };
    expect(byEmail.items.map((o) => o.id)).toEqual([id]);
    const byStatus = (await (await local.api('/admin/orders?status=SHIPPED&limit=100', { as: 'admin' })).json()) as { items: any[] };
    expect(byStatus.items.map((o) => o.id)).toContain(id);
    expect(byStatus.items.every((o) => o.status === 'SHIPPED')).toBe(true);
    const notPending = (await (await local.api('/admin/orders?status=PENDING&limit=100', { as: 'admin' })).json()) as { items: any[] };
    expect(notPending.items.map((o) => o.id)).not.toContain(id);
    const day = createdAt.slice(0, 10);
    const inRange = (await (await local.api(`/admin/orders?from=${day}&to=${day}&limit=100`, { as: 'admin' })).json()) as { items: any[] };
    expect(inRange.items.map((o) => o.id)).toContain(id);
    // A date-time and a bare date mix: compared after normalising, the range holds the order.
    const mixed = await local.api(`/admin/orders?from=${encodeURIComponent(createdAt)}&to=${day}&limit=100`, { as: 'admin' });
    expect(mixed.status).toBe(200);
    expect(((await mixed.json()) as { items: any[] }).items.map((o) => o.id)).toContain(id);
    const before = (await (await local.api(`/admin/orders?to=2000-01-01&limit=100`, { as: 'admin' })).json()) as { items: any[] };
    expect(before.items).toHaveLength(0);
    expect((await local.api('/admin/orders?status=LOST', { as: 'admin' })).status).toBe(400);
    expect((await local.api('/admin/orders?from=yesterday', { as: 'admin' })).status).toBe(400);

    const detail = (await (await local.api(`/admin/orders/${id}`, { as: 'admin' })).json()) as any;
    expect(detail).toMatchObject({ id, status: 'SHIPPED', total: { amount: 3000, currency: 'EUR' }, customer: { email } });
    expect(detail.payment).toMatchObject({ status: 'captured', brand: 'mastercard', last4: '4444' });
    expect(detail.paymentRecord.history.length).toBeGreaterThanOrEqual(2);
    expect(detail.shipment.trackingNumber).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/);
    expect(detail.timeline.every((t: any) => t.at && t.actor && t.reason && t.status)).toBe(true);
    // Sent by the outbox after the status changes committed: wait for the shipped notice.
    let notified = detail.notifications;
    for (let i = 0; i < 200 && notified.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 25));
      notified = ((await (await local.api(`/admin/orders/${id}`, { as: 'admin' })).json()) as any).notifications;
    }
    expect(notified.map((n: any) => n.kind).sort()).toEqual(['confirmation', 'shipped']);

    // Shipped: admin cancel is refused; unknown orders are 404.
    expect((await local.api(`/admin/orders/${id}/cancel`, { as: 'admin', method: 'POST' })).status).toBe(409);
    expect((await local.api('/admin/orders/00000000-0000-4000-8000-000000000000', { as: 'admin' })).status).toBe(404);
  });
});
