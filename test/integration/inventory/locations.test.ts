/**
 * Stock locations on DynamoDB Local: allocation across locations inside the one reservation transaction,
 * transfers, release to the right location, and the invariants under racing orders, transfers and cancels.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handler as listLocations } from '../../../functions/api/admin-list-locations';
import { handler as createLocation } from '../../../functions/api/admin-create-location';
import { handler as updateLocation } from '../../../functions/api/admin-update-location';
import { handler as transfer } from '../../../functions/api/admin-transfer-stock';
import { handler as adjust } from '../../../functions/api/admin-adjust-inventory';
import { handler as listInventory } from '../../../functions/api/admin-list-inventory';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { ensureMainLocation, forgetLocations, locationStore } from '../../../functions/adapters/location-store';
import { ledgerStore } from '../../../functions/adapters/ledger-store';
import { orderStore } from '../../../functions/adapters/order-store';
import { makeHot } from '../../../functions/adapters/hot-stock';
import { plannedShipments } from '../../../functions/domain/allocation';
import { isConsistent, type StockLevels } from '../../../functions/domain/inventory';
import type { Order } from '../../../functions/domain/order';
import { recordMovementsForChange } from '../../../functions/inventory/ledger';
import { restockAt, shipmentStockItems } from '../../../functions/inventory/stock';
import { cancelOrder, releaseStock, reserveStock, shipStock } from '../../../functions/orders/service';
import { OutOfStock } from '../../../functions/orders/errors';
import { transactWrite } from '../../../functions/adapters/transactions';
import { httpEvent } from '../payments/support/fixtures';
import { createPendingOrder, createProduct } from '../orders/fixtures';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();

const context = { functionName: 't', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
async function call(handler: Handler, method: string, path: string, options: { pathParameters?: Record<string, string>; body?: unknown } = {}) {
  const r = (await handler(
    httpEvent({ method, path, groups: ['admin'], headers: { 'content-type': 'application/json' }, pathParameters: options.pathParameters, ...(options.body ? { body: JSON.stringify(options.body) } : {}) }),
    context,
  )) as { statusCode: number; body: string };
  return { status: r.statusCode, body: JSON.parse(r.body) };
}

const settle = (promises: Promise<unknown>[]) => Promise.allSettled(promises);
const at = (levels: StockLevels, location: string) => levels.locations!.find((l) => l.location === location) ?? { location, onHand: 0, reserved: 0, available: 0 };

/** Units of `sku` at `location` held by orders still holding their reservation. */
function heldAt(orders: (Order | undefined)[], sku: string, location: string) {
  return orders
    .filter((o) => o?.stock === 'RESERVED')
    .flatMap((o) => plannedShipments(o!).filter((s) => s.location === location).flatMap((s) => s.lines))
    .filter((l) => l.sku === sku)
    .reduce((n, l) => n + l.quantity, 0);
}

/** Every reserved order holds exactly its lines across its shipments, each location at most once. */
function expectAllOrNothing(orders: (Order | undefined)[]) {
  for (const order of orders) {
    if (order!.stock === 'NONE') {
      expect(order!.shipments).toBeUndefined();
      continue;
    }
    const shipments = plannedShipments(order!);
    expect(new Set(shipments.map((s) => s.location)).size).toBe(shipments.length);
    for (const line of order!.items) {
      expect(shipments.flatMap((s) => s.lines).filter((l) => l.sku === line.sku).reduce((n, l) => n + l.quantity, 0)).toBe(line.quantity);
    }
  }
}

/** Projects each order's stock history into the ledger as the change stream would, then sums it per location. */
async function ledgerLevels(orders: (Order | undefined)[], sku: string) {
  for (const o of orders) {
    if (!o || o.stock === 'NONE') continue;
    await recordMovementsForChange({ ...o, stock: 'NONE' }, { ...o, stock: 'RESERVED' });
    if (o.stock !== 'RESERVED') await recordMovementsForChange({ ...o, stock: 'RESERVED' }, o);
  }
  const sums = new Map<string, { onHand: number; reserved: number }>();
  let cursor: string | undefined;
  do {
    const page = await ledgerStore.list(sku, 100, cursor);
    for (const m of page.items) {
      const s = sums.get(m.location) ?? { onHand: 0, reserved: 0 };
      sums.set(m.location, { onHand: s.onHand + m.onHandDelta, reserved: s.reserved + m.reservedDelta });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return sums;
}

let seq = 0;
const sku = (name: string) => `${name}-${++seq}`;
async function stockAt(s: string, location: string, units: number) {
  if (units > 0) await inventoryStore.adjust(s, units, 'opening', 'admin:test', location);
}

beforeAll(async () => {
  await locationStore.create({ id: 'EAST', name: 'East', priority: 10, active: true });
  await locationStore.create({ id: 'WEST', name: 'West', priority: 20, active: true });
  forgetLocations();
});

describe('locations and the admin API', () => {
  it('MAIN always exists; the migration stores it once and leaves an edited MAIN alone', async () => {
    expect((await locationStore.list()).map((l) => l.id)).toEqual(['MAIN', 'EAST', 'WEST']);
    expect(await ensureMainLocation()).toBe(true);
    expect(await ensureMainLocation()).toBe(false);
    const renamed = await call(updateLocation, 'PATCH', '/admin/locations/MAIN', { pathParameters: { id: 'MAIN' }, body: { name: 'Head office' } });
    expect(renamed).toMatchObject({ status: 200, body: { id: 'MAIN', name: 'Head office', priority: 0, active: true } });
    expect(await ensureMainLocation()).toBe(false);
    expect((await locationStore.get('MAIN'))!.name).toBe('Head office');
  });

  it('lists, creates (409 twice, 400 on a bad id), updates (404 unknown) locations', async () => {
    const created = await call(createLocation, 'POST', '/admin/locations', { body: { id: 'POPUP-1', name: 'Pop-up', priority: 50, active: false } });
    expect(created).toMatchObject({ status: 201, body: { id: 'POPUP-1', active: false } });
    expect((await call(createLocation, 'POST', '/admin/locations', { body: { id: 'POPUP-1', name: 'Again', priority: 1 } })).status).toBe(409);
    expect((await call(createLocation, 'POST', '/admin/locations', { body: { id: 'MAIN', name: 'Again', priority: 1 } })).status).toBe(409);
    const bad = await call(createLocation, 'POST', '/admin/locations', { body: { id: 'bad id', name: 'x', priority: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('id');
    expect((await call(updateLocation, 'PATCH', '/admin/locations/NOPE', { pathParameters: { id: 'NOPE' }, body: { active: true } })).status).toBe(404);
    const list = await call(listLocations, 'GET', '/admin/locations');
    expect(list.body.items.map((l: { id: string }) => l.id)).toEqual(['MAIN', 'EAST', 'WEST', 'POPUP-1']);
  });

  it('adjusts a named location, transfers atomically (409 when short, 404/409 for unknown or inactive), and lists per location', async () => {
    const s = sku('API');
    await createProduct(s, 10, 3);
    expect((await call(adjust, 'POST', `/admin/inventory/${s}/adjustments`, { pathParameters: { sku: s }, body: { delta: 4, reason: 'delivery', location: 'EAST' } })).body).toMatchObject({ onHand: 14, available: 14 });
    expect((await call(adjust, 'POST', `/admin/inventory/${s}/adjustments`, { pathParameters: { sku: s }, body: { delta: -5, reason: 'x', location: 'EAST' } })).status).toBe(409);
    expect((await call(adjust, 'POST', `/admin/inventory/${s}/adjustments`, { pathParameters: { sku: s }, body: { delta: 1, reason: 'x', location: 'MARS' } })).status).toBe(404);
    const moved = await call(transfer, 'POST', '/admin/inventory/transfers', { body: { sku: s, from: 'MAIN', to: 'WEST', quantity: 6, reason: 'rebalance' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ onHand: 14, available: 14, locations: [{ location: 'MAIN', onHand: 4 }, { location: 'EAST', onHand: 4 }, { location: 'WEST', onHand: 6 }] });
    expect((await call(transfer, 'POST', '/admin/inventory/transfers', { body: { sku: s, from: 'MAIN', to: 'WEST', quantity: 5, reason: 'too many' } })).status).toBe(409);
    expect((await call(transfer, 'POST', '/admin/inventory/transfers', { body: { sku: s, from: 'MAIN', to: 'MARS', quantity: 1, reason: 'x' } })).status).toBe(404);
    expect((await call(transfer, 'POST', '/admin/inventory/transfers', { body: { sku: s, from: 'MAIN', to: 'POPUP-1', quantity: 1, reason: 'x' } })).status).toBe(409);
    expect((await call(transfer, 'POST', '/admin/inventory/transfers', { body: { sku: s, from: 'MAIN', to: 'MAIN', quantity: 1, reason: 'x' } })).status).toBe(400);
    // Nothing of the refused ones moved; the ledger per location sums to the levels.
    const levels = (await inventoryStore.get(s))!;
    expect(levels.locations).toEqual([
      { location: 'MAIN', onHand: 4, reserved: 0, available: 4 },
      { location: 'EAST', onHand: 4, reserved: 0, available: 4 },
      { location: 'WEST', onHand: 6, reserved: 0, available: 6 },
    ]);
    expect(Object.fromEntries(await ledgerLevels([], s))).toEqual({ MAIN: { onHand: 4, reserved: 0 }, EAST: { onHand: 4, reserved: 0 }, WEST: { onHand: 6, reserved: 0 } });
    const page = await call(listInventory, 'GET', '/admin/inventory');
    expect(page.body.items.find((i: { sku: string }) => i.sku === s)).toMatchObject({ onHand: 14, lowStockThreshold: 3, low: false, locations: expect.arrayContaining([{ location: 'WEST', onHand: 6, reserved: 0, available: 6 }]) });
  });
});

describe('allocation inside the reservation', () => {
  it('takes the whole order from one location when one can, else splits; ships and releases per location', async () => {
    const a = sku('ALLOC-A');
    const b = sku('ALLOC-B');
    await createProduct(a, 2);
    await createProduct(b, 0);
    await stockAt(a, 'WEST', 5);
    await stockAt(b, 'WEST', 5);
    await stockAt(b, 'EAST', 1);
    // EAST cannot fill it, MAIN has no B: WEST alone ships it, though it is last by priority.
    const single = await createPendingOrder([{ sku: a, quantity: 2 }, { sku: b, quantity: 2 }]);
    expect((await reserveStock(single.id)).shipments).toEqual([{ id: 'S1', location: 'WEST', lines: [{ sku: a, quantity: 2 }, { sku: b, quantity: 2 }] }]);
    // 5 of A: MAIN's 2 and 3 of WEST's remaining 3; B from WEST (3 left there).
    const split = await createPendingOrder([{ sku: a, quantity: 5 }, { sku: b, quantity: 1 }]);
    const reserved = await reserveStock(split.id);
    expect(reserved.shipments).toEqual([
      { id: 'S1', location: 'MAIN', lines: [{ sku: a, quantity: 2 }] },
      { id: 'S2', location: 'WEST', lines: [{ sku: a, quantity: 3 }, { sku: b, quantity: 1 }] },
    ]);
    expect((await inventoryStore.get(a))!.locations).toEqual([
      { location: 'MAIN', onHand: 2, reserved: 2, available: 0 },
      { location: 'WEST', onHand: 5, reserved: 5, available: 0 },
    ]);
    // One more unit of A exists nowhere: out of stock, nothing taken.
    const none = await createPendingOrder([{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]);
    await expect(reserveStock(none.id)).rejects.toBeInstanceOf(OutOfStock);
    expect((await orderStore.get(none.id))!.stock).toBe('NONE');
    expect((await inventoryStore.get(b))!.reserved).toBe(3);

    // One shipment of the split ships on its own: only WEST's units leave.
    const order = (await orderStore.get(split.id))!;
    await transactWrite(await shipmentStockItems(order, 'S2', new Date().toISOString()));
    expect(at((await inventoryStore.get(a))!, 'WEST')).toEqual({ location: 'WEST', onHand: 2, reserved: 2, available: 0 });
    expect(at((await inventoryStore.get(a))!, 'MAIN')).toEqual({ location: 'MAIN', onHand: 2, reserved: 2, available: 0 });

    // The single-location order is cancelled: its units go back to WEST, once.
    await settle([cancelOrder(single.id, 'admin:test', 'changed', () => true), releaseStock(single.id), releaseStock(single.id)]);
    // (WEST's B: 5 on hand, 1 shipped with S2 of the split, the single order's 2 released.)
    expect(at((await inventoryStore.get(b))!, 'WEST')).toEqual({ location: 'WEST', onHand: 4, reserved: 0, available: 4 });
    expect(at((await inventoryStore.get(b))!, 'EAST')).toEqual({ location: 'EAST', onHand: 1, reserved: 0, available: 1 });
  });

  it('ships a whole split order out of each of its locations', async () => {
    const c = sku('SHIP');
    await createProduct(c, 3);
    await stockAt(c, 'EAST', 3);
    const order = await createPendingOrder([{ sku: c, quantity: 5 }]);
    await reserveStock(order.id);
    await orderStore.transition(order.id, 'PAID', { actor: 'test', reason: 'paid' });
    await orderStore.transition(order.id, 'LABELLED', { actor: 'test', reason: 'labelled' });
    await shipStock(order.id, 'test', {});
    expect((await inventoryStore.get(c))!.locations).toEqual([
      { location: 'MAIN', onHand: 0, reserved: 0, available: 0 },
      { location: 'EAST', onHand: 1, reserved: 0, available: 1 },
    ]);
    const ledger = await ledgerLevels([await orderStore.get(order.id)], c);
    expect(Object.fromEntries(ledger)).toEqual({ MAIN: { onHand: 0, reserved: 0 }, EAST: { onHand: 1, reserved: 0 } });
  });

  it('a hot SKU: MAIN from its shards, other locations as items, in one transaction; released to both', async () => {
    const h = sku('HOT');
    await createProduct(h, 4);
    await makeHot(h);
    await stockAt(h, 'EAST', 4);
    const order = await createPendingOrder([{ sku: h, quantity: 6 }]);
    const reserved = await reserveStock(order.id);
    expect(reserved.shipments).toEqual([{ id: 'S1', location: 'MAIN', lines: [{ sku: h, quantity: 4 }] }, { id: 'S2', location: 'EAST', lines: [{ sku: h, quantity: 2 }] }]);
    expect(Object.values(reserved.stockAllocation![h]!).reduce((n, [, q]) => n + q, 0)).toBe(4);
    expect((await inventoryStore.get(h))!).toMatchObject({ onHand: 8, reserved: 6, available: 2 });
    expect(await releaseStock(order.id)).toBe(true);
    expect(await releaseStock(order.id)).toBe(false);
    expect((await inventoryStore.get(h))!.locations).toEqual([{ location: 'MAIN', onHand: 4, reserved: 0, available: 4 }, { location: 'EAST', onHand: 4, reserved: 0, available: 4 }]);
  });

  it('restockAt puts returned units back at a location once per key, with a return movement', async () => {
    const r = sku('RET');
    await createProduct(r, 1);
    expect(await restockAt(r, 'EAST', 2, 'Returned', { onceKey: 'R1#x', by: 'admin:test' })).toBe(true);
    expect(await restockAt(r, 'EAST', 2, 'Returned', { onceKey: 'R1#x', by: 'admin:test' })).toBe(false);
    expect(await restockAt(r, 'MAIN', 1, 'Returned')).toBe(true);
    expect((await inventoryStore.get(r))!.locations).toEqual([{ location: 'MAIN', onHand: 2, reserved: 0, available: 2 }, { location: 'EAST', onHand: 2, reserved: 0, available: 2 }]);
    expect((await ledgerStore.list(r, 10)).items.filter((m) => m.type === 'return').map((m) => [m.location, m.onHandDelta]).sort()).toEqual([['EAST', 2], ['MAIN', 1]]);
  });
});

describe('races against DynamoDB Local', () => {
  it('concurrent orders that need splits never oversell any location and take all lines or none', async () => {
    const a = sku('RACE-A');
    const b = sku('RACE-B');
    await createProduct(a, 12);
    await createProduct(b, 4);
    await stockAt(a, 'EAST', 12);
    await stockAt(a, 'WEST', 12);
    await stockAt(b, 'EAST', 6);
    await stockAt(b, 'WEST', 2);
    const opening: Record<string, Record<string, number>> = { [a]: { MAIN: 12, EAST: 12, WEST: 12 }, [b]: { MAIN: 4, EAST: 6, WEST: 2 } };
    // Every order needs more of A than any one location holds: each one reserved is a split.
    const orders = await Promise.all(
      Array.from({ length: 36 }, (_, i) => createPendingOrder([{ sku: a, quantity: 13 + (i % 4) }, ...(i % 3 ? [{ sku: b, quantity: 1 + (i % 4) }] : [])])),
    );

    const results = await settle(orders.map((o) => reserveStock(o.id)));

    expect(results.every((r) => r.status === 'fulfilled' || r.reason instanceof OutOfStock)).toBe(true);
    const final = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    expectAllOrNothing(final);
    const reserved = final.filter((o) => o!.stock === 'RESERVED');
    expect(reserved.length).toBe(results.filter((r) => r.status === 'fulfilled').length);
    expect(reserved.length).toBeGreaterThan(0);
    expect(reserved.every((o) => o!.shipments!.length > 1)).toBe(true);
    expect(reserved.length).toBeLessThan(orders.length);
    for (const s of [a, b]) {
      const levels = (await inventoryStore.get(s))!;
      expect(isConsistent(levels)).toBe(true);
      for (const loc of ['MAIN', 'EAST', 'WEST']) {
        const l = at(levels, loc);
        expect(l.available).toBeGreaterThanOrEqual(0);
        expect(l.onHand).toBe(opening[s]![loc]);
        expect(l.reserved).toBe(heldAt(final, s, loc));
      }
    }
  });

  it('transfers racing reservations and cancels keep every invariant: sums, reserved ≥ 0, ledger = levels', async () => {
    const t = sku('TRANSFER');
    await createProduct(t, 20);
    await stockAt(t, 'EAST', 10);
    const orders = await Promise.all(Array.from({ length: 24 }, (_, i) => createPendingOrder([{ sku: t, quantity: 1 + (i % 4) }])));
    const places = ['MAIN', 'EAST', 'WEST'];
    const transfers = Array.from({ length: 18 }, (_, i) => ({ from: places[i % 3]!, to: places[(i + 1 + (i % 2)) % 3]!, quantity: 1 + (i % 3) }));

    const outcomes = await settle([
      ...orders.map((o) => reserveStock(o.id)),
      ...transfers.map((x) => inventoryStore.transfer(t, x.from, x.to, x.quantity, 'race', 'admin:test')),
      ...orders.filter((_, i) => i % 4 === 0).flatMap((o) => [cancelOrder(o.id, 'admin:test', 'race', () => true), releaseStock(o.id)]),
    ]);
    // Transfers either moved or were refused for lack of units; nothing else failed.
    for (const r of outcomes) if (r.status === 'rejected') expect(['OutOfStock', 'OrderNotActive', 'InsufficientStock', 'ProblemError']).toContain((r.reason as Error).constructor.name);
    expect(outcomes.slice(orders.length, orders.length + transfers.length).some((r) => r.status === 'fulfilled')).toBe(true);

    // Round 2: the reserved half is cancelled and released twice more, racing more transfers.
    const mid = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    await settle([
      ...mid.filter((o) => o!.stock === 'RESERVED').filter((_, i) => i % 2 === 0).flatMap((o) => [cancelOrder(o!.id, 'customer:test', 'race', () => true), releaseStock(o!.id), releaseStock(o!.id)]),
      ...transfers.map((x) => inventoryStore.transfer(t, x.to, x.from, x.quantity, 'race back', 'admin:test')),
    ]);

    const final = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    expectAllOrNothing(final);
    const levels = (await inventoryStore.get(t))!;
    expect(isConsistent(levels)).toBe(true);
    expect(levels.onHand).toBe(30);
    expect(levels.locations!.reduce((n, l) => n + l.onHand, 0)).toBe(30);
    const ledger = await ledgerLevels(final, t);
    for (const loc of places) {
      const l = at(levels, loc);
      expect(l.reserved).toBeGreaterThanOrEqual(0);
      expect(l.available).toBe(l.onHand - l.reserved);
      expect(l.reserved).toBe(heldAt(final, t, loc));
      expect(ledger.get(loc) ?? { onHand: 0, reserved: 0 }).toEqual({ onHand: l.onHand, reserved: l.reserved });
    }
  });

  it('release after cancel returns split stock to the right locations exactly once', async () => {
    const x = sku('RELEASE');
    const y = sku('RELEASE-Y');
    await createProduct(x, 10);
    await createProduct(y, 0);
    await stockAt(x, 'EAST', 10);
    await stockAt(y, 'WEST', 20);
    const orders = await Promise.all(Array.from({ length: 8 }, () => createPendingOrder([{ sku: x, quantity: 2 }, { sku: y, quantity: 2 }])));
    for (const o of orders) await reserveStock(o.id);
    const held = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    expect(held.every((o) => o!.shipments!.length === 2)).toBe(true);
    await settle(orders.flatMap((o) => [cancelOrder(o.id, 'customer:test', 'race', () => true), releaseStock(o.id), releaseStock(o.id), cancelOrder(o.id, 'admin:test', 'race', () => true)]));
    const final = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    expect(final.every((o) => o!.status === 'CANCELLED' && o!.stock === 'RELEASED')).toBe(true);
    expect((await inventoryStore.get(x))!.locations).toEqual([{ location: 'MAIN', onHand: 10, reserved: 0, available: 10 }, { location: 'EAST', onHand: 10, reserved: 0, available: 10 }]);
    expect((await inventoryStore.get(y))!.locations).toEqual([{ location: 'MAIN', onHand: 0, reserved: 0, available: 0 }, { location: 'WEST', onHand: 20, reserved: 0, available: 20 }]);
    const ledger = await ledgerLevels(final, x);
    expect(Object.fromEntries(ledger)).toEqual({ MAIN: { onHand: 10, reserved: 0 }, EAST: { onHand: 10, reserved: 0 } });
  });
});
