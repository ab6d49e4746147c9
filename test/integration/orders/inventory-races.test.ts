import { useIsolatedTables } from '../../support/dynamo';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { orderStore } from '../../../functions/adapters/order-store';
import { isConsistent } from '../../../functions/domain/inventory';
import { cancelOrder, releaseStock, reserveStock, shipStock } from '../../../functions/orders/service';
import { listAlerts } from '../../../functions/inventory/low-stock';
import { OutOfStock } from '../../../functions/orders/errors';
import { createPendingOrder, createProduct } from './fixtures';

useIsolatedTables();
process.env.LOCAL_DATA_DIR = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'races-'));

const settle = (promises: Promise<unknown>[]) => Promise.allSettled(promises);

describe('reservation races against DynamoDB Local', () => {
  it('200 concurrent one-unit orders on a SKU with 50 units reserve exactly 50, never negative', async () => {
    await createProduct('RACE-50', 50);
    const orders = await Promise.all(Array.from({ length: 200 }, () => createPendingOrder([{ sku: 'RACE-50', quantity: 1 }])));

    const results = await settle(orders.map((order) => reserveStock(order.id)));

    const reserved = results.filter((r) => r.status === 'fulfilled');
    const outOfStock = results.filter((r) => r.status === 'rejected' && r.reason instanceof OutOfStock);
    expect(reserved).toHaveLength(50);
    expect(outOfStock).toHaveLength(150);
    const levels = (await inventoryStore.get('RACE-50'))!;
    expect(levels).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
    expect(isConsistent(levels)).toBe(true);
    const stored = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    expect(stored.filter((o) => o?.status === 'RESERVED' && o.stock === 'RESERVED')).toHaveLength(50);
  });

  it('multi-line orders take all their lines or none, even when one SKU runs short under contention', async () => {
    await createProduct('MULTI-PLENTY', 1000);
    await createProduct('MULTI-SHORT', 10);
    const orders = await Promise.all(
      Array.from({ length: 40 }, () => createPendingOrder([{ sku: 'MULTI-PLENTY', quantity: 3 }, { sku: 'MULTI-SHORT', quantity: 1 }])),
    );

    const results = await settle(orders.map((order) => reserveStock(order.id)));

    const winners = results.filter((r) => r.status === 'fulfilled').length;
    expect(winners).toBe(10);
    const plenty = (await inventoryStore.get('MULTI-PLENTY'))!;
    const short = (await inventoryStore.get('MULTI-SHORT'))!;
    // Every unit reserved belongs to an order holding all its lines: 3 of PLENTY for each 1 of SHORT.
    expect(short.reserved).toBe(10);
    expect(plenty.reserved).toBe(30);
    const stored = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    for (const order of stored) expect(['RESERVED', 'PENDING']).toContain(order!.status);
    expect(stored.filter((o) => o!.stock === 'RESERVED')).toHaveLength(10);
    expect(stored.filter((o) => o!.status === 'PENDING').every((o) => o!.stock === 'NONE')).toBe(true);
  });

  it('place / cancel / restock / ship interleaved keep onHand = available + reserved, all ≥ 0, and match the orders', async () => {
    await createProduct('MIX-A', 30);
    await createProduct('MIX-B', 20);
    const orders = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        createPendingOrder(i % 3 === 0 ? [{ sku: 'MIX-A', quantity: 2 }, { sku: 'MIX-B', quantity: 1 }] : [{ sku: i % 2 ? 'MIX-A' : 'MIX-B', quantity: 1 + (i % 4) }]),
      ),
    );
    let restocked = { 'MIX-A': 0, 'MIX-B': 0 } as Record<string, number>;

    // Round 1: reservations race cancels (some before, some after they reserve) and admin restocks/removals.
    await settle([
      ...orders.map((order) => reserveStock(order.id)),
      ...orders.filter((_, i) => i % 5 === 0).map((order) => cancelOrder(order.id, 'admin:test', 'race', () => true)),
      ...Array.from({ length: 10 }, (_, i) =>
        inventoryStore.adjust(i % 2 ? 'MIX-A' : 'MIX-B', i % 3 === 0 ? -2 : 5, 'race restock', 'admin:test').then(({ adjustment }) => {
          restocked = { ...restocked, [adjustment.sku]: restocked[adjustment.sku]! + adjustment.delta };
        }),
      ),
    ]);

    // Round 2: reserved orders go through label to SHIPPED while others are cancelled and released twice.
    const reservedOrders = (await Promise.all(orders.map((o) => orderStore.get(o.id)))).filter((o) => o!.status === 'RESERVED');
    const toShip = reservedOrders.filter((_, i) => i % 2 === 0);
    const toCancel = reservedOrders.filter((_, i) => i % 2 === 1);
    for (const order of toShip) {
      await orderStore.transition(order!.id, 'PAID', { actor: 'test', reason: 'paid' });
      await orderStore.transition(order!.id, 'LABELLED', { actor: 'test', reason: 'labelled' });
    }
    await settle([
      ...toShip.map((o) => shipStock(o!.id, 'test', {})),
      ...toCancel.flatMap((o) => [cancelOrder(o!.id, 'customer:test', 'changed mind', () => true), releaseStock(o!.id), releaseStock(o!.id)]),
    ]);

    const final = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    for (const sku of ['MIX-A', 'MIX-B']) {
      const levels = (await inventoryStore.get(sku))!;
      expect(isConsistent(levels)).toBe(true);
      const qty = (statusFilter: (o: NonNullable<(typeof final)[number]>) => boolean) =>
        final.filter((o) => statusFilter(o!)).reduce((n, o) => n + o!.items.filter((l) => l.sku === sku).reduce((m, l) => m + l.quantity, 0), 0);
      // Reserved units are exactly the lines of orders still holding a reservation…
      expect(levels.reserved).toBe(qty((o) => o.stock === 'RESERVED'));
      // …and on-hand is the opening stock plus adjustments minus what shipped.
      const opening = sku === 'MIX-A' ? 30 : 20;
      expect(levels.onHand).toBe(opening + restocked[sku]! - qty((o) => o.stock === 'SHIPPED'));
    }
    expect(final.filter((o) => o!.status === 'SHIPPED')).toHaveLength(toShip.length);
    expect(final.filter((o) => o!.status === 'CANCELLED').every((o) => o!.stock !== 'RESERVED')).toBe(true);
  });

  it('a cancel racing the reservation releases the stock exactly once', async () => {
    await createProduct('CANCEL-RACE', 100);
    const orders = await Promise.all(Array.from({ length: 30 }, () => createPendingOrder([{ sku: 'CANCEL-RACE', quantity: 2 }])));
    await settle(orders.flatMap((o) => [reserveStock(o.id), cancelOrder(o.id, 'customer:test', 'race', () => true), releaseStock(o.id)]));
    // Whatever won, every order is now cancelled or reserved, and nothing is double-released.
    const final = await Promise.all(orders.map((o) => orderStore.get(o.id)));
    const levels = (await inventoryStore.get('CANCEL-RACE'))!;
    expect(levels.reserved).toBe(final.filter((o) => o!.stock === 'RESERVED').length * 2);
    expect(levels).toMatchObject({ onHand: 100 });
    expect(isConsistent(levels)).toBe(true);
  });
});

describe('a cancel and a compensation interleaved', () => {
  it('a cancel that read the order before a compensation released its stock does not release it again', async () => {
    await createProduct('INTERLEAVE', 10);
    const a = await createPendingOrder([{ sku: 'INTERLEAVE', quantity: 3 }]);
    const b = await createPendingOrder([{ sku: 'INTERLEAVE', quantity: 3 }]);
    await reserveStock(a.id);
    await reserveStock(b.id);

    // The cancel reads A (RESERVED, stock RESERVED); before it writes, the saga's compensation releases A.
    const realGet = orderStore.get.bind(orderStore);
    const spy = jest.spyOn(orderStore, 'get').mockImplementationOnce(async (id, consistent) => {
      const snapshot = await realGet(id, consistent);
      await releaseStock(id);
      return snapshot;
    });
    const cancelled = await cancelOrder(a.id, 'customer:test', 'changed mind', () => true);
    spy.mockRestore();

    expect(cancelled).toMatchObject({ status: 'CANCELLED', stock: 'RELEASED' });
    // Only B still holds stock: A's units went back once, not twice (which would have eaten B's).
    expect(await inventoryStore.get('INTERLEAVE')).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
  });
});

describe('low-stock alerts', () => {
  it('fire exactly once per crossing under concurrent orders, and re-arm above the threshold', async () => {
    await createProduct('ALERT-SKU', 30, 10);
    const first = await Promise.all(Array.from({ length: 25 }, () => createPendingOrder([{ sku: 'ALERT-SKU', quantity: 1 }])));
    await settle(first.map((o) => reserveStock(o.id)));

    const alerts = () => listAlerts(100).then((page) => page.items.filter((a) => a.sku === 'ALERT-SKU'));
    expect(await alerts()).toHaveLength(1);
    const [alert] = await alerts();
    expect(alert!.available).toBeLessThanOrEqual(10);
    expect(alert!.threshold).toBe(10);
    expect(alert!.daysOfCover).not.toBeNull(); // sales were recorded by the reservations

    // Still below: more orders do not alert again.
    await settle((await Promise.all(Array.from({ length: 3 }, () => createPendingOrder([{ sku: 'ALERT-SKU', quantity: 1 }])))).map((o) => reserveStock(o.id)));
    expect(await alerts()).toHaveLength(1);

    // Restock above the threshold re-arms; the next crossing alerts once more.
    await inventoryStore.adjust('ALERT-SKU', 20, 'delivery', 'admin:test');
    const { rearmLowStock } = await import('../../../functions/inventory/low-stock');
    await rearmLowStock(['ALERT-SKU']);
    const again = await Promise.all(Array.from({ length: 20 }, () => createPendingOrder([{ sku: 'ALERT-SKU', quantity: 1 }])));
    await settle(again.map((o) => reserveStock(o.id)));
    expect(await alerts()).toHaveLength(2);
  });
});
