import { useIsolatedTables } from '../../support/dynamo';
import { orderStore } from '../../../functions/adapters/order-store';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { authorizeOrderPayment } from '../../../functions/payments/service';
import { reconcile } from '../../../functions/reconciler/repairs';
import { effectsOf } from '../../../functions/outbox/effects';
import { createOrder } from './support/fixtures';

/**
 * Authorization expiry (SPEC.md): the payment keeps captureBefore (sandbox: authorization + 7 days), and the
 * reconciler flags an unshipped order within 24 h of it, once; the flag's appearance is what pages ops
 * (the outbox counts PaymentAttention{kind}).
 */
useIsolatedTables();

const DAY = 86_400_000;
// No order is stale for the workflow repairs here: only the payment rules run.
const run = (now: number) => reconcile({ now, staleSeconds: 30 * 86_400 });

it('flags an unshipped order within 24 h of captureBefore once, and leaves one further away alone', async () => {
  const order = await createOrder({ status: 'PAID' });
  await authorizeOrderPayment({ ...order, status: 'RESERVED' });
  const record = (await paymentStore.get(order.id))!;
  const captureBefore = Date.parse(record.captureBefore!);
  expect(captureBefore - Date.now()).toBeGreaterThan(7 * DAY - 60_000);
  expect((await orderStore.get(order.id))?.payment?.captureBefore).toBe(record.captureBefore);

  await run(captureBefore - 2 * DAY);
  expect((await orderStore.get(order.id))?.needsAttention).toBeUndefined();

  await run(captureBefore - 20 * 3600_000);
  await run(captureBefore - 19 * 3600_000);
  const flagged = (await orderStore.get(order.id))!;
  expect(flagged.needsAttention).toMatchObject({ kind: 'authorization-expiring', reason: expect.stringContaining(record.captureBefore!) });
  expect(flagged.timeline.filter((t) => t.actor === 'reconciler' && t.reason.includes('authorization expires'))).toHaveLength(1);

  // The outbox turns the flag's appearance into the PaymentAttention metric (not a compensation failure).
  const before = { ...flagged, needsAttention: undefined };
  expect(effectsOf('MODIFY', { ...before, entity: 'ORDER' }, { ...flagged, entity: 'ORDER' })).toContainEqual({ kind: 'count', metric: 'PaymentAttention', dimensions: { kind: 'authorization-expiring' } });
});

it('does not flag shipped or closed orders', async () => {
  for (const status of ['SHIPPED', 'CANCELLED'] as const) {
    const order = await createOrder({ status });
    await authorizeOrderPayment({ ...order, status: 'RESERVED' });
    const captureBefore = Date.parse((await paymentStore.get(order.id))!.captureBefore!);
    await run(captureBefore - 3600_000);
    expect((await orderStore.get(order.id))?.needsAttention).toBeUndefined();
  }
});
