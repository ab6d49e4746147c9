import type Stripe from 'stripe';
import { useIsolatedTables } from '../../support/dynamo';
import { handler as refund } from '../../../functions/api/admin-refund-order';
import { authorizeOrderPayment, captureOrderPayment, refundOrderPayment } from '../../../functions/payments/service';
import { applyStripeEvent } from '../../../functions/payments/stripe-events';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import type { PendingRefund } from '../../../functions/payments/payment';
import { createOrder, invoke } from './support/fixtures';

useIsolatedTables();

const refundCall = (orderId: string, body: unknown, idempotencyKey?: string) =>
  invoke(refund, {
    method: 'POST',
    path: `/admin/orders/${orderId}/refund`,
    pathParameters: { id: orderId },
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    groups: ['admin'],
  });

async function capturedOrder(total = 5000) {
  const order = await createOrder({ total: { amount: total, currency: 'USD' } });
  await authorizeOrderPayment(order);
  await captureOrderPayment(order.id);
  return order;
}

/** A claim as a request leaves it that died (or timed out) after the provider refunded, aged past the in-flight window. */
async function staleClaim(orderId: string, pending: Omit<PendingRefund, 'sequence' | 'baseRefunded' | 'requestedAt'>) {
  const record = (await paymentStore.get(orderId))!;
  const result = await new SandboxGateway().refund(orderId, record.intentId!, { amount: pending.amount, sequence: 1 });
  await paymentStore.save(
    { ...record, refundSequence: 1, pendingRefund: { sequence: 1, baseRefunded: 0, requestedAt: new Date(Date.now() - 120_000).toISOString(), ...pending } },
    record.version,
    { syncOrder: false },
  );
  return { intentId: record.intentId!, refundId: result.refundId };
}

let n = 0;
const event = (type: string, object: Record<string, unknown>) =>
  ({ id: `evt_review_${Date.now()}_${++n}`, object: 'event', created: Math.floor(Date.now() / 1000), type, data: { object } }) as unknown as Stripe.Event;
const chargeRefunded = (intentId: string, orderId: string, amountRefunded: number) =>
  event('charge.refunded', { id: `ch_${intentId}`, object: 'charge', amount: 5000, amount_captured: 5000, amount_refunded: amountRefunded, currency: 'usd', payment_intent: intentId, metadata: { orderId } });

/**
 * Unfinished refund claims (a request that died after the provider refunded) meeting webhooks and other
 * requests: found by a review of the refund-by-key change; each case failed before the fix.
 */
describe('an unfinished refund claim', () => {
  it('the retry (same key) of a full refund whose charge.refunded arrived before it was recorded is 200, and the claim is settled', async () => {
    const order = await capturedOrder();
    const key = `full-${order.id}`;
    const { intentId } = await staleClaim(order.id, { amount: 5000, actor: 'admin:admin-user', requestKey: key, requestFingerprint: 'remaining' });
    expect(await applyStripeEvent(chargeRefunded(intentId, order.id, 5000))).toBe('applied');

    const retried = await refundCall(order.id, undefined, key);
    expect(retried.body).toMatchObject({ payment: { status: 'refunded', amountRefunded: 5000 } });
    expect(retried.statusCode).toBe(200);
    const after = (await paymentStore.get(order.id))!;
    expect(after.pendingRefund).toBeUndefined();
    expect(after.refunds).toEqual([expect.objectContaining({ sequence: 1, requestKey: key })]);
  });

  it('a return refund of the same amount as another return\'s stale claim is refunded too (not taken for its retry)', async () => {
    const order = await capturedOrder();
    await staleClaim(order.id, { amount: 1000, actor: 'return:ret_1' });
    await refundOrderPayment(order.id, 1000, 'return:ret_2', { oncePerActor: true });
    const record = (await paymentStore.get(order.id))!;
    expect(record.refunds.map((r) => r.actor)).toEqual(['return:ret_1', 'return:ret_2']);
    expect(record.amountRefunded).toBe(2000);
    // ret_1's own retry answers its first refund; nothing refunds ret_2 ever again.
    await refundOrderPayment(order.id, 1000, 'return:ret_1', { oncePerActor: true });
    expect((await paymentStore.get(order.id))!.amountRefunded).toBe(2000);
  });

  it('a refund reported refunded, then failed, before it was recorded does not stay counted as refunded', async () => {
    const order = await capturedOrder();
    const key = `fail-${order.id}`;
    const { intentId, refundId } = await staleClaim(order.id, { amount: 700, actor: 'admin:admin-user', requestKey: key, requestFingerprint: '700' });
    expect(await applyStripeEvent(chargeRefunded(intentId, order.id, 700))).toBe('applied');
    const failed = { id: refundId, object: 'refund', amount: 700, currency: 'usd', payment_intent: intentId, status: 'failed', failure_reason: 'expired_or_canceled_card', metadata: { orderId: order.id, sequence: '1' } };
    expect(await applyStripeEvent(event('refund.failed', failed))).toBe('applied');

    const retried = await refundCall(order.id, { amount: 700 }, key);
    expect(retried.statusCode).toBe(200);
    const record = (await paymentStore.get(order.id))!;
    expect(record.refunds[0]).toMatchObject({ refundId, failedAt: expect.any(String) });
    expect(record).toMatchObject({ status: 'captured', amountRefunded: 0 });
  });
});
