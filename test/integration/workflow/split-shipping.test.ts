import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useIsolatedTables } from '../../support/dynamo';
import { lambdaContext } from '../../unit/api/events';
import { orderStore } from '../../../functions/adapters/order-store';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { cancelOrder } from '../../../functions/orders/service';
import { createProduct } from '../orders/fixtures';
import { locationStore } from '../../../functions/adapters/location-store';
import { newOrder, priceOrder } from '../../../functions/orders/service';

/**
 * The ship step per shipment against DynamoDB Local (the Map of the ASL calls it once per shipment id):
 * idempotent per shipment, capture once with the first, SHIPPED and stock out with the last; a partly
 * shipped order cannot be cancelled, and a fault after a part left flags it instead of compensating.
 */
useIsolatedTables();
process.env.LOCAL_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'split-shipping-'));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const step = (name: string) => (require(`../../../functions/workflow/${name}`) as { handler: (e: unknown, c: unknown) => Promise<any> }).handler;
const run = (name: string, input: Record<string, unknown>) => step(name)(input, lambdaContext(name));

/** `a` in stock at MAIN only, `b` at EAST only: the reservation plans S1 (MAIN, a) and S2 (EAST, b). */
async function splitProducts(a: string, b: string) {
  await locationStore.create({ id: 'EAST', name: 'East', priority: 10, active: true }).catch(() => undefined);
  await createProduct(a, 5);
  await createProduct(b, 0);
  await inventoryStore.adjust(b, 5, 'opening', 'admin:test', 'EAST');
}

async function splitOrder(a: string, b: string) {
  const body = {
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }],
    payment: { paymentMethodId: 'pm_card_visa' },
  };
  const id = crypto.randomUUID();
  const order = newOrder(body, 'user-split', 'customer:user-split', await priceOrder(body.items), { id, requestFingerprint: 'split' });
  await orderStore.create(order);
  for (const name of ['reserve-stock', 'authorize-payment']) await run(name, { orderId: id });
  return id;
}

it('ships S1 then S2: capture once, LABELLED until the last, then SHIPPED with the stock out; retries change nothing', async () => {
  await splitProducts('SPLIT-A', 'SPLIT-B');
  const id = await splitOrder('SPLIT-A', 'SPLIT-B');
  const labelled = await run('create-label', { orderId: id });
  expect(labelled.shipmentIds).toEqual(['S1', 'S2']);
  // A retried label step allocates nothing new.
  expect(await run('create-label', { orderId: id })).toMatchObject({ status: 'LABELLED', shipmentIds: ['S1', 'S2'] });
  const tracking = (await orderStore.get(id))!.shipments!.map((s) => s.trackingNumber);
  expect(new Set(tracking).size).toBe(2);

  await run('ship-order', { orderId: id, shipmentId: 'S1' });
  let order = (await orderStore.get(id))!;
  expect(order).toMatchObject({ status: 'LABELLED', stock: 'RESERVED', shippedParts: 1, payment: { status: 'captured' } });
  expect(order.shipments!.map((s) => s.status)).toEqual(['SHIPPED', 'LABELLED']);
  expect(order.shipment?.shippedAt).toBeDefined();
  // S1's units left MAIN with it; S2's are still held at EAST.
  expect(await inventoryStore.get('SPLIT-A')).toMatchObject({ onHand: 3, reserved: 0 });
  expect(await inventoryStore.get('SPLIT-B')).toMatchObject({ onHand: 5, reserved: 1 });
  // A retry of S1 (the Lambda died after its commit) is a no-op.
  await run('ship-order', { orderId: id, shipmentId: 'S1' });
  expect((await orderStore.get(id))!.version).toBe(order.version);

  // Partly shipped: a cancel is refused and changes nothing.
  await expect(cancelOrder(id, 'customer:user-split', 'changed my mind', () => true)).rejects.toMatchObject({ status: 409 });

  await run('ship-order', { orderId: id, shipmentId: 'S2' });
  order = (await orderStore.get(id))!;
  expect(order).toMatchObject({ status: 'SHIPPED', stock: 'SHIPPED' });
  expect(order.shipments!.map((s) => s.status)).toEqual(['SHIPPED', 'SHIPPED']);
  await run('ship-order', { orderId: id, shipmentId: 'S2' });
  expect((await orderStore.get(id))!.version).toBe(order.version);
  expect(await inventoryStore.get('SPLIT-A')).toMatchObject({ onHand: 3, reserved: 0 });
  expect(await inventoryStore.get('SPLIT-B')).toMatchObject({ onHand: 4, reserved: 0 });
  const payment = (await paymentStore.get(id))!;
  expect(payment.history.filter((h) => h.status === 'captured')).toHaveLength(1);
});

it('a fault after S1 left flags the order for a person instead of compensating it', async () => {
  await splitProducts('SPLIT-C', 'SPLIT-D');
  const id = await splitOrder('SPLIT-C', 'SPLIT-D');
  await run('create-label', { orderId: id });
  // Before anything left, the usual compensation runs.
  expect(await run('shipment-fault', { orderId: id, input: { error: { Error: 'Error' } } })).toEqual({ partlyShipped: false });
  await run('ship-order', { orderId: id, shipmentId: 'S1' });
  expect(await run('shipment-fault', { orderId: id, input: { error: { Error: 'States.Timeout' } } })).toEqual({ partlyShipped: true });
  const order = (await orderStore.get(id))!;
  expect(order.needsAttention?.reason).toContain('after S1 left');
  expect(order).toMatchObject({ status: 'LABELLED', stock: 'RESERVED', payment: { status: 'captured' } });
});
