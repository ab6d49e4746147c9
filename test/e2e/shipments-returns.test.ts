import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';
import { isValidTrackingNumber } from '../../functions/domain/tracking';
import { signatureHeader, SIGNATURE_HEADER } from '../../functions/fulfillment/webhook-signature';

/**
 * Split shipments and returns end to end over HTTP on the local stack (issue #16): the real ASL's Map ships
 * a two-shipment order in two parts; a delivered order's return is approved, arrives through the carrier
 * webhook and is received with one line restocked and one scrapped, refunded through the sandbox provider.
 */
const local = useLocalStack();

let n = 0;
async function createProduct(price: number, onHand: number): Promise<string> {
  const code = `RET-${process.pid}-${n++}`;
  const res = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: code, name: `Return product ${code}`, price: { amount: price, currency: 'USD' }, lowStockThreshold: 0, initialStock: onHand }),
  });
  expect(res.status).toBe(201);
  return code;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const adminOrder = async (id: string) => (await (await local.api(`/admin/orders/${id}`, { as: 'admin' })).json()) as any;
const levels = async (code: string) => ((await (await local.api(`/admin/products/${code}`, { as: 'admin' })).json()) as any).inventory;

async function carrierEvent(trackingNumber: string, status: string) {
  const body = JSON.stringify({ eventId: `evt-${trackingNumber}-${status}-${n++}`, trackingNumber, status, occurredAt: new Date().toISOString() });
  return local.api('/webhooks/carrier', { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader('local-carrier-webhook-secret', body) }, body });
}

async function emails(orderId: string, part: string, expected: number): Promise<string[]> {
  const dir = path.join(local.stack.dataDir, 'outbox');
  let found: string[] = [];
  for (let i = 0; i < 300; i++) {
    found = readdirSync(dir).filter((f) => f.includes(orderId) && f.includes(part));
    if (found.length >= expected) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return found;
}

async function placeAndShip(items: { sku: string; quantity: number }[]): Promise<string> {
  const res = await local.api('/orders', {
    as: 'customer',
    ...json({
      customer: { name: 'Grace Hopper', email: 'grace@example.com' },
      shippingAddress: { name: 'Grace Hopper', line1: '1 Compiler Rd', city: 'Arlington', region: 'VA', postalCode: '22201', country: 'US' },
      items,
      payment: { paymentMethodId: 'pm_card_visa' },
    }),
    headers: { 'content-type': 'application/json', 'idempotency-key': `ret-${process.pid}-${n++}` },
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect((await local.waitForExecution(id)).status).toBe('SUCCEEDED');
  return id;
}

describe('split shipments and returns over HTTP', () => {
  it('a two-shipment order: two labels, shipped in two parts by the Map, delivered per tracking number', async () => {
    // `a` is stocked at MAIN only and `b` at a second location only: the reservation must split the order.
    const a = await createProduct(2500, 10);
    const b = await createProduct(1000, 0);
    const east = `E2E-${process.pid}`;
    expect((await local.api('/admin/locations', { as: 'admin', ...json({ id: east, name: 'East depot (e2e)', priority: 50 }) })).status).toBe(201);
    expect((await local.api(`/admin/inventory/${b}/adjustments`, { as: 'admin', ...json({ delta: 10, reason: 'opening stock', location: east }) })).status).toBe(200);
    const id = await placeAndShip([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);

    const view = await adminOrder(id);
    expect(view.status).toBe('SHIPPED');
    expect(view.payment).toMatchObject({ status: 'captured' });
    expect(view.shipments.map((s: any) => s.location)).toEqual(['MAIN', east]);
    expect(view.shipments.map((s: any) => [s.id, s.status, s.items])).toEqual([
      ['S1', 'SHIPPED', [{ sku: a, quantity: 2 }]],
      ['S2', 'SHIPPED', [{ sku: b, quantity: 1 }]],
    ]);
    const [t1, t2] = view.shipments.map((s: any) => s.trackingNumber);
    expect(isValidTrackingNumber(t1) && isValidTrackingNumber(t2) && t1 !== t2).toBe(true);
    expect(view.shipment.trackingNumber).toBe(t1);
    // The timeline says which part left when: S1 while LABELLED, the last one is the SHIPPED change.
    expect(view.timeline.map((t: any) => t.reason)).toEqual(expect.arrayContaining(['Shipment S1 handed to the carrier (1 of 2)', 'Shipment S2 handed to the carrier (2 of 2)']));
    expect(await levels(a)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await levels(b)).toMatchObject({ onHand: 9, reserved: 0 });

    // A label per shipment; the order-level route still serves S1's.
    for (const [route, tn] of [[`/admin/orders/${id}/shipments/S2/label`, t2], [`/admin/orders/${id}/label`, t1], [`/admin/orders/${id}/shipments/S1/label?format=zpl`, t1]]) {
      const res = await local.api(route, { as: 'admin' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(tn);
    }
    expect((await local.api(`/admin/orders/${id}/shipments/S3/label`, { as: 'admin' })).status).toBe(404);

    // One shipped email per shipment, none for the order as a whole.
    expect(await emails(id, 'shipped-S1', 1)).toHaveLength(1);
    expect(await emails(id, 'shipped-S2', 1)).toHaveLength(1);

    // Delivered per tracking number: the order is DELIVERED only when both are.
    expect((await carrierEvent(t2, 'DELIVERED')).status).toBe(200);
    let after = await adminOrder(id);
    expect(after.status).toBe('SHIPPED');
    expect(after.shipments.map((s: any) => s.status)).toEqual(['SHIPPED', 'DELIVERED']);
    expect((await carrierEvent(t1, 'DELIVERED')).status).toBe(200);
    after = await adminOrder(id);
    expect(after.status).toBe('DELIVERED');
    expect(after.shipments.map((s: any) => s.status)).toEqual(['DELIVERED', 'DELIVERED']);
    const mine = (await (await local.api(`/orders/${id}`, { as: 'customer' })).json()) as any;
    expect(mine.shipments).toHaveLength(2);
    expect((await (await local.api(`/tracking/${t2}`)).json()).status).toBe('DELIVERED');
  }, 60_000);

  it('a return received with one line restocked and one scrapped: partial refund, ledger, emails, timeline', async () => {
    const a = await createProduct(2500, 10);
    const b = await createProduct(1000, 10);
    const id = await placeAndShip([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);
    const shipped = await adminOrder(id);
    // Not delivered yet: nothing can be returned.
    const early = await local.api(`/orders/${id}/returns`, { as: 'customer', ...json({ items: [{ sku: a, quantity: 1 }] }) });
    expect(early.status).toBe(422);
    expect((await carrierEvent(shipped.shipment.trackingNumber, 'DELIVERED')).status).toBe(200);

    // More than delivered is refused and changes nothing.
    const tooMany = await local.api(`/orders/${id}/returns`, { as: 'customer', ...json({ items: [{ sku: a, quantity: 3 }] }) });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as any).type).toContain('return-exceeds-shipped');

    const created = await local.api(`/orders/${id}/returns`, { as: 'customer', ...json({ items: [{ sku: a, quantity: 1, reason: 'Too big' }, { sku: b, quantity: 1, reason: 'Broken' }] }) });
    expect(created.status).toBe(201);
    const r = (await created.json()) as any;
    expect(r).toMatchObject({ status: 'REQUESTED', items: [{ sku: a, quantity: 1, reason: 'Too big' }, { sku: b, quantity: 1, reason: 'Broken' }] });
    expect(((await (await local.api(`/orders/${id}/returns`, { as: 'customer' })).json()) as any).items.map((x: any) => x.id)).toEqual([r.id]);
    const queue = (await (await local.api('/admin/returns?status=REQUESTED', { as: 'admin' })).json()) as any;
    expect(queue.items.map((x: any) => x.id)).toContain(r.id);

    const approved = (await (await local.api(`/admin/returns/${r.id}/approve`, { as: 'admin', method: 'POST' })).json()) as any;
    expect(approved.status).toBe('APPROVED');
    expect(isValidTrackingNumber(approved.trackingNumber)).toBe(true);
    const label = await local.api(`/admin/returns/${r.id}/label`, { as: 'admin' });
    expect(label.status).toBe(200);
    expect(label.headers.get('content-type')).toBe('application/pdf');

    // The customer downloads their own return label from the link in their return view and in the email.
    const labelPath = `/orders/${id}/returns/${r.id}/label`;
    const mineNow = ((await (await local.api(`/orders/${id}/returns`, { as: 'customer' })).json()) as any).items[0];
    expect(mineNow.labelUrl).toBe(`${local.stack.apiUrl}${labelPath}`);
    const own = await local.api(labelPath, { as: 'customer' });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await own.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const zpl = await local.api(`${labelPath}?format=zpl`, { as: 'customer' });
    expect(zpl.status).toBe(200);
    expect(await zpl.text()).toMatch(/^\^XA/);
    // Anyone else (here the admin user signed in as a customer: another user id) gets the same 404 as for a
    // return that does not exist; so does a return id under another order, and a request without sign-in is a 401.
    const foreign = await local.api(labelPath, { as: 'admin' });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    expect((await local.api(`/orders/${id}/returns/${id}-R00000000/label`, { as: 'customer' })).status).toBe(404);
    expect((await local.api(`/orders/another-order/returns/${r.id}/label`, { as: 'customer' })).status).toBe(404);
    expect((await local.api(labelPath)).status).toBe(401);
    expect((await local.api(`${labelPath}?format=gif`, { as: 'customer' })).status).toBe(400);
    const approvedEmail = (await emails(id, `${r.id}-APPROVED`, 1))[0]!;
    // Quoted-printable: soft line breaks (`=` at a line's end) joined again.
    const approvedText = readFileSync(path.join(local.stack.dataDir, 'outbox', approvedEmail), 'utf8').replace(/=\r?\n/g, '');
    expect(approvedText).toContain(`Download the return label: ${local.stack.apiUrl}${labelPath}`);
    // The carrier's DELIVERED for the return's tracking number marks it arrived (the order stays as it is).
    expect((await carrierEvent(approved.trackingNumber, 'DELIVERED')).status).toBe(200);
    expect(((await (await local.api(`/admin/returns/${r.id}`, { as: 'admin' })).json()) as any).arrivedAt).toBeDefined();

    const receive = await local.api(`/admin/returns/${r.id}/receive`, { as: 'admin', ...json({ items: [{ sku: a, quantity: 1, disposition: 'restock' }, { sku: b, quantity: 1, disposition: 'scrap' }] }) });
    expect(receive.status).toBe(200);
    const done = (await receive.json()) as any;
    expect(done).toMatchObject({ status: 'REFUNDED', refund: { amount: 3500, currency: 'USD' } });
    // Receiving again finishes nothing twice.
    const again = await local.api(`/admin/returns/${r.id}/receive`, { as: 'admin', ...json({ items: [{ sku: a, quantity: 1, disposition: 'restock' }] }) });
    expect(again.status).toBe(200);

    const order = await adminOrder(id);
    expect(order.paymentRecord).toMatchObject({ amountRefunded: 3500, status: 'partially_refunded' });
    expect(order.refunded).toEqual({ amount: 3500, currency: 'USD' });
    expect(order.returns).toEqual([expect.objectContaining({ id: r.id, status: 'REFUNDED' })]);
    expect(order.timeline.filter((t: any) => t.reason.startsWith(`Return ${r.id}`)).length).toBeGreaterThanOrEqual(4);
    // The restocked line is back on hand at MAIN with a `return` movement; the scrapped one is not.
    expect(await levels(a)).toMatchObject({ onHand: 9, reserved: 0, available: 9 });
    expect(await levels(b)).toMatchObject({ onHand: 9, reserved: 0, available: 9 });
    const movements = ((await (await local.api(`/admin/inventory/${a}/movements`, { as: 'admin' })).json()) as any).items;
    expect(movements.filter((m: any) => m.type === 'return')).toEqual([expect.objectContaining({ location: 'MAIN', onHandDelta: 1 })]);
    // An email at each step; the refund is told once (return-refunded, not also the generic refunded one).
    for (const status of ['REQUESTED', 'APPROVED', 'RECEIVED', 'REFUNDED']) expect(await emails(id, `${r.id}-${status}`, 1)).toHaveLength(1);
    expect(readdirSync(path.join(local.stack.dataDir, 'outbox')).filter((f) => f.includes(id) && f.includes('-refunded-'))).toEqual([]);
    // Nothing left to return of the received units.
    const more = await local.api(`/orders/${id}/returns`, { as: 'customer', ...json({ items: [{ sku: b, quantity: 1 }] }) });
    expect(more.status).toBe(422);
  }, 60_000);
});
