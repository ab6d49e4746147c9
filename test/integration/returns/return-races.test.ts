import { useIsolatedTables } from '../../support/dynamo';
import { useFulfillmentEnv } from '../fulfillment/support';
import { createProduct } from '../orders/fixtures';
import { orderStore } from '../../../functions/adapters/order-store';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { ledgerStore } from '../../../functions/adapters/ledger-store';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { returnsStore } from '../../../functions/adapters/returns-store';
import { authorizeOrderPayment, captureOrderPayment } from '../../../functions/payments/service';
import { renderLabelPdf, renderLabelZpl } from '../../../functions/fulfillment/label';
import { approveReturn, rejectReturn, requestReturn } from '../../../functions/returns/service';
import { receiveReturn } from '../../../functions/returns/receive';
import { ProblemError } from '../../../functions/commons/problem';
import type { Order } from '../../../functions/domain/order';

/**
 * Returns never take, restock or refund more than was delivered, however many requests race (DynamoDB Local:
 * the limits are conditions on the order's RETURNS counters, the refund is once per return id).
 */
useIsolatedTables();
useFulfillmentEnv();

const renderer = { renderLabelPdf, renderLabelZpl };
let n = 0;

/** A delivered, captured order: A ×3 at 1000 and B ×2 at 500, in one shipment S1 from MAIN. */
async function deliveredOrder(deliveredDaysAgo = 1): Promise<{ order: Order; a: string; b: string }> {
  const a = `RA-${process.pid}-${n++}`;
  const b = `RB-${process.pid}-${n++}`;
  await createProduct(a, 10, 0, 1000);
  await createProduct(b, 10, 0, 500);
  const at = new Date().toISOString();
  const deliveredAt = new Date(Date.now() - deliveredDaysAgo * 24 * 3600 * 1000).toISOString();
  const order: Order = {
    id: crypto.randomUUID(),
    userId: 'user-returns',
    status: 'DELIVERED',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [
      { sku: a, name: 'A', quantity: 3, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 3000, currency: 'USD' } },
      { sku: b, name: 'B', quantity: 2, unitPrice: { amount: 500, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } },
    ],
    total: { amount: 4000, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: 'SHIPPED',
    shipments: [{ id: 'S1', location: 'MAIN', lines: [{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }], status: 'DELIVERED', shippedAt: at, deliveredAt }],
    timeline: [{ at, status: 'DELIVERED', actor: 'test', reason: 'fixture' }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await orderStore.create(order);
  await authorizeOrderPayment(order);
  await captureOrderPayment(order.id);
  return { order, a, b };
}

const settle = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);
const problemType = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' && r.reason instanceof ProblemError ? r.reason.type : undefined);

describe('return requests racing', () => {
  it('twelve concurrent requests for one unit each: exactly the three delivered units are taken', async () => {
    const { order, a } = await deliveredOrder();
    const results = await settle(Array.from({ length: 12 }, () => requestReturn(order.id, order.userId, [{ sku: a, quantity: 1 }])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').map(problemType)).toEqual(Array(9).fill(expect.stringContaining('return-exceeds-shipped')));
    expect(await returnsStore.counts(order.id)).toEqual({ [`S1#${a}`]: 3 });
    expect(await returnsStore.listByOrder(order.id)).toHaveLength(3);
  });

  it('mixed concurrent requests never exceed any SKU; a rejection gives its units back', async () => {
    const { order, a, b } = await deliveredOrder();
    const asks = [
      [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }],
      [{ sku: a, quantity: 2 }],
      [{ sku: b, quantity: 2 }],
      [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }],
      [{ sku: b, quantity: 1 }],
    ];
    await settle(asks.map((items) => requestReturn(order.id, order.userId, items)));
    const returns = await returnsStore.listByOrder(order.id);
    const held = (sku: string) => returns.flatMap((r) => r.items).filter((l) => l.sku === sku).reduce((s, l) => s + l.quantity, 0);
    expect(held(a)).toBeLessThanOrEqual(3);
    expect(held(b)).toBeLessThanOrEqual(2);
    expect(await returnsStore.counts(order.id)).toEqual({ [`S1#${a}`]: held(a), [`S1#${b}`]: held(b) });

    // Reject one that holds A: its units can be asked for again.
    const holder = returns.find((r) => r.items.some((l) => l.sku === a))!;
    await rejectReturn(holder.id, 'admin:test', 'Not eligible');
    const freed = holder.items.find((l) => l.sku === a)!.quantity;
    await expect(requestReturn(order.id, order.userId, [{ sku: a, quantity: 3 - held(a) + freed }])).resolves.toMatchObject({ status: 'REQUESTED' });
    await expect(requestReturn(order.id, order.userId, [{ sku: a, quantity: 1 }])).rejects.toMatchObject({ status: 422 });
  });

  it('outside the return window, or for another customer, nothing is returnable', async () => {
    const { order, a } = await deliveredOrder(31);
    await expect(requestReturn(order.id, order.userId, [{ sku: a, quantity: 1 }])).rejects.toMatchObject({ status: 422, type: expect.stringContaining('return-not-allowed') });
    const fresh = await deliveredOrder();
    await expect(requestReturn(fresh.order.id, 'someone-else', [{ sku: fresh.a, quantity: 1 }])).rejects.toMatchObject({ status: 404 });
    expect(await returnsStore.listByOrder(order.id)).toEqual([]);
  });
});

describe('return labels', () => {
  it('go to the address of the location the units came from, else to the shop with the location named', async () => {
    const { locationStore } = await import('../../../functions/adapters/location-store');
    const seen: { name: string; lines: string[] }[] = [];
    const recording = { renderLabelPdf: async (c: Parameters<typeof renderLabelPdf>[0]) => (seen.push(c.recipient), renderLabelPdf(c)), renderLabelZpl };
    const { order, a } = await deliveredOrder();
    await approveReturn((await requestReturn(order.id, order.userId, [{ sku: a, quantity: 1 }])).id, 'admin:test', recording);
    expect(seen.at(-1)!.name).toMatch(/\(MAIN\)$/);
    await locationStore.update('MAIN', { address: 'Returns desk, 9 Dock Road, London E16 2QD, United Kingdom' });
    const next = await deliveredOrder();
    await approveReturn((await requestReturn(next.order.id, next.order.userId, [{ sku: next.a, quantity: 1 }])).id, 'admin:test', recording);
    expect(seen.at(-1)).toEqual({ name: expect.any(String), lines: ['Returns desk', '9 Dock Road', 'London E16 2QD', 'United Kingdom'] });
  });
});

describe('receiving racing', () => {
  it('concurrent receives of one return restock once and refund once', async () => {
    const { order, a, b } = await deliveredOrder();
    const before = (await inventoryStore.get(a))!.onHand;
    const r = await requestReturn(order.id, order.userId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);
    await approveReturn(r.id, 'admin:test', renderer);
    const lines = [{ sku: a, quantity: 2, disposition: 'restock' as const }, { sku: b, quantity: 1, disposition: 'scrap' as const }];
    const results = await settle(Array.from({ length: 6 }, () => receiveReturn(r.id, 'admin:test', lines)));
    // Losers may be told a refund is in flight (409); none may refund or restock again. Finish with one more call.
    for (const res of results) if (res.status === 'rejected') expect(problemType(res)).toContain('refund-in-progress');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const done = await receiveReturn(r.id, 'admin:test', lines).catch(async () => (await returnsStore.get(order.id, r.id))!);
    expect((await returnsStore.get(order.id, r.id))!.status).toBe('REFUNDED');
    expect(done.refund).toEqual({ amount: 2500, currency: 'USD' });

    const payment = (await paymentStore.get(order.id))!;
    expect(payment.refunds.filter((x) => x.actor === `return:${r.id}`)).toHaveLength(1);
    expect(payment.amountRefunded).toBe(2500);
    expect((await inventoryStore.get(a))!.onHand).toBe(before + 2);
    expect((await inventoryStore.get(b))!.onHand).toBe(10);
    const movements = (await ledgerStore.list(a, 50)).items.filter((m) => m.type === 'return');
    expect(movements).toEqual([expect.objectContaining({ location: 'MAIN', onHandDelta: 2, orderId: order.id })]);
  });

  it('every return of an order together never refunds more than was delivered, nor receives more than was asked', async () => {
    const { order, a, b } = await deliveredOrder();
    const first = await requestReturn(order.id, order.userId, [{ sku: a, quantity: 3 }]);
    const second = await requestReturn(order.id, order.userId, [{ sku: b, quantity: 2 }]);
    await Promise.all([approveReturn(first.id, 'admin:test', renderer), approveReturn(second.id, 'admin:test', renderer)]);
    await expect(receiveReturn(first.id, 'admin:test', [{ sku: a, quantity: 4, disposition: 'restock' }])).rejects.toMatchObject({ status: 422 });
    // A short receipt refunds what arrived and gives the rest back to the counters.
    await Promise.all([
      receiveReturn(first.id, 'admin:test', [{ sku: a, quantity: 2, disposition: 'restock' }]),
      receiveReturn(second.id, 'admin:test', [{ sku: b, quantity: 2, disposition: 'scrap' }]),
    ]);
    const payment = (await paymentStore.get(order.id))!;
    expect(payment.amountRefunded).toBe(2 * 1000 + 2 * 500);
    expect(payment.amountRefunded).toBeLessThanOrEqual(payment.amountCaptured);
    expect(await returnsStore.counts(order.id)).toEqual({ [`S1#${a}`]: 2, [`S1#${b}`]: 2 });
    const third = await requestReturn(order.id, order.userId, [{ sku: a, quantity: 1 }]);
    expect(third.status).toBe('REQUESTED');
    await expect(requestReturn(order.id, order.userId, [{ sku: b, quantity: 1 }])).rejects.toMatchObject({ status: 422 });
  });
});
