/**
 * The inventory ledger on DynamoDB Local: a mixed history (opening stock, adjustments both ways, orders
 * reserved, shipped, released and cancelled), each order change projected as the change stream would
 * deliver it (old image → new image). The movements, newest first, sum to today's levels; replays write
 * nothing. Also: low-stock alerts get resolvedAt when stock recovers, and ?open=true lists the rest.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handler as listMovements } from '../../../functions/api/admin-list-movements';
import { handler as listAlerts } from '../../../functions/api/admin-list-alerts';
import { handler as adjust } from '../../../functions/api/admin-adjust-inventory';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { orderStore } from '../../../functions/adapters/order-store';
import { levelsFromMovements, movementsForChange } from '../../../functions/domain/ledger';
import type { Order } from '../../../functions/domain/order';
import { recordMovementsForChange } from '../../../functions/inventory/ledger';
import { cancelOrder, releaseStock, reserveStock, shipStock } from '../../../functions/orders/service';
import { httpEvent } from '../payments/support/fixtures';
import { createPendingOrder, createProduct } from '../orders/fixtures';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();

const context = { functionName: 't', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
async function call(handler: Handler, method: string, path: string, options: { pathParameters?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {}) {
  const r = (await handler(
    httpEvent({ method, path, groups: ['admin'], headers: { 'content-type': 'application/json' }, pathParameters: options.pathParameters, query: options.query, ...(options.body ? { body: JSON.stringify(options.body) } : {}) }),
    context,
  )) as { statusCode: number; body: string };
  return { status: r.statusCode, body: JSON.parse(r.body) };
}

/** Runs a change and projects it like the stream consumer: old image, new image. */
async function projected(orderId: string, change: () => Promise<unknown>) {
  const before = await orderStore.get(orderId);
  await change();
  const after = await orderStore.get(orderId);
  const written = await recordMovementsForChange(before, after);
  // A redelivered stream record writes nothing more.
  expect(await recordMovementsForChange(before, after)).toEqual([]);
  return written;
}

async function allMovements(sku: string) {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const r = await call(listMovements, 'GET', `/admin/inventory/${sku}/movements`, { pathParameters: { sku }, query: { limit: '3', ...(cursor ? { cursor } : {}) } });
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

it('movements after a mixed history sum to today’s onHand and reserved, newest first', async () => {
  const p = `LEDGER-P-${randomUUID().slice(0, 6).toUpperCase()}`;
  const q = `LEDGER-Q-${randomUUID().slice(0, 6).toUpperCase()}`;
  await createProduct(p, 20);
  await createProduct(q, 10);
  expect((await call(adjust, 'POST', `/admin/inventory/${p}/adjustments`, { pathParameters: { sku: p }, body: { delta: 5, reason: 'Delivery from supplier' } })).status).toBe(200);
  expect((await call(adjust, 'POST', `/admin/inventory/${p}/adjustments`, { pathParameters: { sku: p }, body: { delta: -3, reason: 'Damaged in storage' } })).status).toBe(200);

  // A: both SKUs, reserved then shipped.
  const a = await createPendingOrder([{ sku: p, quantity: 2 }, { sku: q, quantity: 1 }]);
  expect(await projected(a.id, () => reserveStock(a.id))).toHaveLength(2);
  await orderStore.transition(a.id, 'PAID', { actor: 'step:authorize-payment', reason: 'paid' });
  await orderStore.transition(a.id, 'LABELLED', { actor: 'step:create-label', reason: 'label' });
  expect(await projected(a.id, () => shipStock(a.id, 'step:ship-order', {}))).toHaveLength(2);
  // B: reserved then released by a failure compensation.
  const b = await createPendingOrder([{ sku: p, quantity: 4 }]);
  await projected(b.id, () => reserveStock(b.id));
  expect(await projected(b.id, () => releaseStock(b.id))).toMatchObject([{ type: 'release', sku: p, reservedDelta: -4, onHandDelta: 0 }]);
  // C: reserved then cancelled by the customer (the release happens inside the cancel).
  const c = await createPendingOrder([{ sku: p, quantity: 1 }]);
  await projected(c.id, () => reserveStock(c.id));
  expect(await projected(c.id, () => cancelOrder(c.id, 'customer:u-1', 'changed my mind', () => true))).toMatchObject([{ type: 'release', by: 'customer:u-1' }]);
  // D: still reserved.
  const d = await createPendingOrder([{ sku: p, quantity: 3 }, { sku: q, quantity: 3 }]);
  await projected(d.id, () => reserveStock(d.id));
  // A change that does not move stock projects nothing.
  expect(await projected(d.id, () => orderStore.transition(d.id, 'PAID', { actor: 'step:authorize-payment', reason: 'paid' }))).toEqual([]);

  for (const sku of [p, q]) {
    const movements = await allMovements(sku);
    const levels = (await inventoryStore.get(sku))!;
    expect(levelsFromMovements(movements)).toEqual({ onHand: levels.onHand, reserved: levels.reserved });
    const ats = movements.map((m) => m.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    for (const m of movements) expect(Object.keys(m).every((k) => ['at', 'type', 'location', 'onHandDelta', 'reservedDelta', 'orderId', 'by', 'reason'].includes(k))).toBe(true);
  }
  const pMovements = await allMovements(p);
  // (As a set: two movements within one millisecond may list in either order.)
  const key = (m: unknown[]) => JSON.stringify(m);
  expect(pMovements.map((m) => [m.type, m.onHandDelta, m.reservedDelta, m.orderId ?? null]).map(key).sort()).toEqual([
    ['adjustment', 20, 0, null],
    ['adjustment', 5, 0, null],
    ['adjustment', -3, 0, null],
    ['reservation', 0, 2, a.id],
    ['shipment', -2, -2, a.id],
    ['reservation', 0, 4, b.id],
    ['release', 0, -4, b.id],
    ['reservation', 0, 1, c.id],
    ['release', 0, -1, c.id],
    ['reservation', 0, 3, d.id],
  ].map(key).sort());
  expect(pMovements.find((m) => m.reason === 'Damaged in storage')).toMatchObject({ type: 'adjustment', location: 'MAIN', by: 'admin:admin-user' });
  expect(await inventoryStore.get(p)).toMatchObject({ onHand: 20, reserved: 3 });
});

it('the projector ignores changes without a stock move and is the same for a replayed change', () => {
  const order = { id: 'o', items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }], stock: 'RESERVED', updatedAt: '2026-12-01T00:00:00.000Z', timeline: [{ at: '', status: 'RESERVED', actor: 'step:reserve-stock', reason: '' }] } as unknown as Order;
  expect(movementsForChange({ ...order, stock: 'NONE' }, order)).toEqual([
    { sku: 'A', at: order.updatedAt, type: 'reservation', location: 'MAIN', onHandDelta: 0, reservedDelta: 3, orderId: 'o', shipmentId: 'S1', by: 'step:reserve-stock', reason: 'Reserved for the order' },
  ]);
  expect(movementsForChange(order, order)).toEqual([]);
  expect(movementsForChange(order, undefined)).toEqual([]);
  expect(movementsForChange({ ...order, stock: 'RELEASED' }, { ...order, stock: 'SHIPPED' })).toEqual([]);
});

it('404 for an unknown SKU', async () => {
  expect((await call(listMovements, 'GET', '/admin/inventory/NOPE-1/movements', { pathParameters: { sku: 'NOPE-1' } })).status).toBe(404);
  expect((await call(listMovements, 'GET', '/admin/inventory/bad%20sku/movements', { pathParameters: { sku: 'bad sku' } })).status).toBe(404);
});

it('a low-stock alert gets resolvedAt when stock rises above the threshold; ?open=true lists only open ones', async () => {
  const sku = `ALERT-${randomUUID().slice(0, 6).toUpperCase()}`;
  const other = `ALERT-${randomUUID().slice(0, 6).toUpperCase()}`;
  await createProduct(sku, 10, 5);
  await createProduct(other, 10, 5);
  for (const s of [sku, other]) await call(adjust, 'POST', `/admin/inventory/${s}/adjustments`, { pathParameters: { sku: s }, body: { delta: -6, reason: 'count' } });
  const open1 = (await call(listAlerts, 'GET', '/admin/alerts', { query: { open: 'true' } })).body.items.filter((a: any) => [sku, other].includes(a.sku));
  expect(open1.map((a: any) => a.sku).sort()).toEqual([sku, other].sort());
  expect(open1.every((a: any) => a.resolvedAt === null)).toBe(true);

  await call(adjust, 'POST', `/admin/inventory/${sku}/adjustments`, { pathParameters: { sku }, body: { delta: 10, reason: 'restock' } });
  const all = (await call(listAlerts, 'GET', '/admin/alerts')).body.items;
  expect(all.find((a: any) => a.sku === sku).resolvedAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
  expect(all.find((a: any) => a.sku === other).resolvedAt).toBeNull();
  const open2 = (await call(listAlerts, 'GET', '/admin/alerts', { query: { open: 'true' } })).body.items.map((a: any) => a.sku);
  expect(open2).toContain(other);
  expect(open2).not.toContain(sku);

  // The next crossing is a new alert, open again; the resolved one stays resolved.
  await call(adjust, 'POST', `/admin/inventory/${sku}/adjustments`, { pathParameters: { sku }, body: { delta: -12, reason: 'count' } });
  const mine = (await call(listAlerts, 'GET', '/admin/alerts')).body.items.filter((a: any) => a.sku === sku);
  expect(mine).toHaveLength(2);
  expect(mine[0].resolvedAt).toBeNull();
  expect(mine[1].resolvedAt).not.toBeNull();
  expect((await call(listAlerts, 'GET', '/admin/alerts', { query: { open: 'maybe' } })).status).toBe(400);
});
