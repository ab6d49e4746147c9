import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useIsolatedTables } from '../../support/dynamo';
import { lambdaContext } from '../../unit/api/events';
import { orderStore } from '../../../functions/adapters/order-store';
import { inventoryStore } from '../../../functions/adapters/inventory-store';
import { createPendingOrder, createProduct } from '../orders/fixtures';

/**
 * The saga's steps, called in the orders Step Functions can produce when something fails late. Each step
 * is the real handler against DynamoDB Local, the sandbox gateway and local label storage.
 */
useIsolatedTables();
process.env.LOCAL_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'compensation-'));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const step = (name: string) => (require(`../../../functions/workflow/${name}`) as { handler: (e: unknown, c: unknown) => Promise<any> }).handler;
const run = (name: string, input: Record<string, unknown>) => step(name)(input, lambdaContext(name));

it('a failure after the SHIPPED commit never refunds the shipped order', async () => {
  await createProduct('LATE-FAIL', 5);
  const order = await createPendingOrder([{ sku: 'LATE-FAIL', quantity: 2 }]);
  for (const name of ['reserve-stock', 'authorize-payment', 'create-label', 'ship-order']) await run(name, { orderId: order.id });
  expect((await orderStore.get(order.id))!.status).toBe('SHIPPED');

  // Suppose ShipOrder's Lambda then died and its retries ran out: the Catch sends the saga to compensation.
  expect(await run('release-stock', { orderId: order.id })).toEqual({ released: false });
  expect(await run('void-payment', { orderId: order.id })).toMatchObject({ skipped: 'shipped' });
  await run('fail-order', { orderId: order.id, failureReason: 'FULFILLMENT_ERROR', input: {} });

  const after = (await orderStore.get(order.id))!;
  expect(after.status).toBe('SHIPPED');
  expect(after.payment).toMatchObject({ status: 'captured' });
  expect(await inventoryStore.get('LATE-FAIL')).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
});

it('a saga restarted for an order a failure branch left half-compensated closes it FAILED', async () => {
  await createProduct('HALF-COMP', 5);
  const order = await createPendingOrder([{ sku: 'HALF-COMP', quantity: 1 }]);
  await run('reserve-stock', { orderId: order.id });
  await run('authorize-payment', { orderId: order.id });
  // The failure branch released and voided, then the process stopped before FailOrder.
  await run('release-stock', { orderId: order.id });
  await run('void-payment', { orderId: order.id });

  // The restarted saga: ReserveStock finds nothing to do and no way forward…
  await expect(run('reserve-stock', { orderId: order.id })).rejects.toMatchObject({ name: 'OrderNotActive' });
  // …so the cancel branch compensates (no-ops now) and CloseOrderAfterCancel ends the order.
  await run('release-stock', { orderId: order.id });
  await run('void-payment', { orderId: order.id });
  await run('fail-order', { orderId: order.id, failureReason: 'FULFILLMENT_ERROR', input: {} });
  expect(await orderStore.get(order.id)).toMatchObject({ status: 'FAILED', failureReason: 'FULFILLMENT_ERROR', stock: 'RELEASED' });
  expect((await orderStore.get(order.id))!.payment!.status).toBe('voided');
  expect(await inventoryStore.get('HALF-COMP')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
});
