import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { useIsolatedTables } from '../../support/dynamo';
import { ddb } from '../../../functions/commons/clients';
import { ProblemError } from '../../../functions/commons/problem';
import { keys } from '../../../functions/adapters/keys';
import { orderStore } from '../../../functions/adapters/order-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { PaymentStateError, PaymentUnavailableError, type PaymentGateway } from '../../../functions/payments/gateway';
import { paymentStore } from '../../../functions/adapters/payment-store';
import {
  authorizeOrderPayment,
  captureOrderPayment,
  refundOrderPayment,
  usePaymentGateway,
  voidOrderPayment,
} from '../../../functions/payments/service';
import { createOrder } from './support/fixtures';

useIsolatedTables();

const sandbox = new SandboxGateway();
const intentOf = async (orderId: string) => sandbox.get((await paymentStore.get(orderId))!.intentId!);
const problemOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as ProblemError);

async function capturedOrder(total = 5000) {
  const order = await createOrder({ total: { amount: total, currency: 'USD' } });
  await authorizeOrderPayment(order);
  await captureOrderPayment(order.id);
  return order;
}

afterEach(() => usePaymentGateway(undefined));

describe('authorizeOrderPayment', () => {
  it('writes the payment record (indexed for the admin lists) and the order summary in one go', async () => {
    const order = await createOrder();
    const result = await authorizeOrderPayment(order);

    expect(result).toEqual({
      outcome: 'authorized',
      payment: expect.objectContaining({ provider: 'sandbox', status: 'authorized', amount: order.total, brand: 'visa', last4: '4242', paymentIntentId: expect.stringMatching(/^pi_sbx_/) }),
    });
    const record = await paymentStore.get(order.id);
    expect(record).toMatchObject({
      orderId: order.id,
      provider: 'sandbox',
      status: 'authorized',
      amount: order.total,
      currency: 'USD',
      amountCaptured: 0,
      amountRefunded: 0,
      card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: expect.any(Number) },
      history: [{ at: expect.any(String), status: 'authorized', source: 'workflow:authorize' }],
    });
    expect((await orderStore.get(order.id))?.payment).toEqual(result.payment);
    const page = await paymentStore.list({ status: 'authorized', limit: 100 });
    expect(page.items.map((p) => p.orderId)).toContain(order.id);
  });

  it('is idempotent: a retried step returns the recorded outcome without a second authorization', async () => {
    const order = await createOrder();
    const first = await authorizeOrderPayment(order);
    const again = await authorizeOrderPayment(order);
    expect(again).toEqual(first);
    expect((await intentOf(order.id))?.events).toHaveLength(1);
  });

  it('records a decline with its code', async () => {
    const order = await createOrder({ paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    const result = await authorizeOrderPayment(order);
    expect(result).toMatchObject({ outcome: 'declined', declineCode: 'insufficient_funds', payment: { status: 'declined', declineCode: 'insufficient_funds' } });
    expect((await orderStore.get(order.id))?.payment).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds' });
  });

  it('throws PaymentUnavailable on a transient failure and records the failed attempt; a later retry can still succeed', async () => {
    const order = await createOrder({ paymentMethodId: 'pm_card_sandboxUnavailable' });
    await expect(authorizeOrderPayment(order)).rejects.toBeInstanceOf(PaymentUnavailableError);
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'failed' });
    expect((await orderStore.get(order.id))?.payment?.status).toBe('failed');

    // The provider comes back (here: the order's method works now) — the retry replaces the failed attempt.
    const recovered = await authorizeOrderPayment({ ...order, paymentMethodId: 'pm_card_visa' });
    expect(recovered.outcome).toBe('authorized');
    expect((await paymentStore.get(order.id))?.history.map((h) => h.status)).toEqual(['failed', 'authorized']);
  });
});

describe('captureOrderPayment', () => {
  it('captures once and is idempotent', async () => {
    const order = await createOrder();
    await authorizeOrderPayment(order);
    const captured = await captureOrderPayment(order.id);
    expect(captured).toMatchObject({ status: 'captured' });
    expect(await captureOrderPayment(order.id)).toEqual(captured);
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'captured', amountCaptured: 5000 });
    expect((await orderStore.get(order.id))?.payment?.status).toBe('captured');
  });

  it('refuses a declined or missing payment with a PaymentStateError', async () => {
    const declined = await createOrder({ paymentMethodId: 'pm_card_chargeDeclined' });
    await authorizeOrderPayment(declined);
    await expect(captureOrderPayment(declined.id)).rejects.toBeInstanceOf(PaymentStateError);
    await expect(captureOrderPayment('ord_nope')).rejects.toBeInstanceOf(PaymentStateError);
  });

  it('10 concurrent captures: one capture at the provider, one history entry', async () => {
    const order = await createOrder();
    await authorizeOrderPayment(order);
    const results = await Promise.all(Array.from({ length: 10 }, () => captureOrderPayment(order.id)));
    for (const result of results) expect(result.status).toBe('captured');
    expect((await intentOf(order.id))?.events.filter((e) => e.type === 'captured')).toHaveLength(1);
    expect((await paymentStore.get(order.id))?.history.filter((h) => h.status === 'captured')).toHaveLength(1);
  });
});

describe('voidOrderPayment', () => {
  it('voids an authorization, once; repeated calls are no-ops', async () => {
    const order = await createOrder();
    await authorizeOrderPayment(order);
    expect(await voidOrderPayment(order.id, 'customer')).toMatchObject({ status: 'voided' });
    expect(await voidOrderPayment(order.id, 'customer')).toMatchObject({ status: 'voided' });
    expect((await intentOf(order.id))?.status).toBe('canceled');
    expect((await paymentStore.get(order.id))?.history.map((h) => [h.status, h.source])).toEqual([
      ['authorized', 'workflow:authorize'],
      ['voided', 'customer'],
    ]);
  });

  it('does nothing without a payment or for a declined one', async () => {
    const order = await createOrder();
    expect(await voidOrderPayment(order.id, 'workflow')).toBeUndefined();
    const declined = await createOrder({ paymentMethodId: 'pm_card_chargeDeclined' });
    await authorizeOrderPayment(declined);
    expect(await voidOrderPayment(declined.id, 'workflow')).toMatchObject({ status: 'declined' });
  });

  it('refunds in full when the payment was already captured (cancel raced the ship step)', async () => {
    const order = await capturedOrder();
    expect(await voidOrderPayment(order.id, 'admin:ops')).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    expect((await intentOf(order.id))?.amountRefunded).toBe(5000);
  });
});

describe('refundOrderPayment', () => {
  it('refuses before capture (409) and names the way out', async () => {
    const order = await createOrder();
    await authorizeOrderPayment(order);
    const problem = await problemOf(refundOrderPayment(order.id, undefined, 'admin:a'));
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem?.status).toBe(409);
    expect(problem?.message).toMatch(/authorized.*Cancel the order/);
    expect((await problemOf(refundOrderPayment((await createOrder()).id, 100, 'admin:a')))?.status).toBe(409);
  });

  it('partial refunds add up; over the remaining is 422; after the last cent 409', async () => {
    const order = await capturedOrder();
    expect(await refundOrderPayment(order.id, 1500, 'admin:a')).toMatchObject({ status: 'partially_refunded', amountRefunded: 1500 });
    expect(await refundOrderPayment(order.id, 1500, 'admin:a')).toMatchObject({ status: 'partially_refunded', amountRefunded: 3000 });

    const over = await problemOf(refundOrderPayment(order.id, 2001, 'admin:a'));
    expect(over?.status).toBe(422);
    expect(over?.message).toMatch(/2000/);

    expect(await refundOrderPayment(order.id, undefined, 'admin:a')).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    expect((await problemOf(refundOrderPayment(order.id, 1, 'admin:a')))?.status).toBe(409);

    const record = await paymentStore.get(order.id);
    expect(record?.refunds.map((r) => [r.sequence, r.amount, r.actor])).toEqual([
      [1, 1500, 'admin:a'],
      [2, 1500, 'admin:a'],
      [3, 2000, 'admin:a'],
    ]);
    expect((await intentOf(order.id))?.amountRefunded).toBe(5000);
    expect((await orderStore.get(order.id))?.payment).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
  });

  it('rejects a non-positive or fractional amount with 422 and changes nothing', async () => {
    const order = await capturedOrder();
    for (const amount of [0, -5, 1.5]) expect((await problemOf(refundOrderPayment(order.id, amount, 'admin:a')))?.status).toBe(422);
    expect((await paymentStore.get(order.id))?.amountRefunded).toBe(0);
  });

  it('10 concurrent full refunds: one refund at the provider, never twice', async () => {
    const order = await capturedOrder();
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => refundOrderPayment(order.id, undefined, 'admin:a')));
    const fulfilled = settled.filter((s) => s.status === 'fulfilled');
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const s of settled) if (s.status === 'rejected') expect((s.reason as ProblemError).status).toBe(409);
    const intent = await intentOf(order.id);
    expect(intent?.events.filter((e) => e.type === 'refunded')).toHaveLength(1);
    expect(intent?.amountRefunded).toBe(5000);
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'refunded', amountRefunded: 5000, refunds: [expect.objectContaining({ amount: 5000 })] });
  });

  it('a refund whose response was lost is finished by the next request with the same key, not repeated', async () => {
    const order = await capturedOrder();
    // The provider performs the refund but the answer never arrives.
    let lose = true;
    const flaky: PaymentGateway = {
      provider: 'sandbox',
      lookupLagMs: 0,
      authorize: (r) => sandbox.authorize(r),
      findAuthorization: (o, n) => sandbox.findAuthorization(o, n),
      retrieve: (i) => sandbox.retrieve(i),
      capture: (o, i) => sandbox.capture(o, i),
      cancel: (o, i) => sandbox.cancel(o, i),
      refund: async (o, i, r) => {
        const result = await sandbox.refund(o, i, r);
        if (lose) throw new PaymentUnavailableError('connection reset');
        return result;
      },
    };
    usePaymentGateway(flaky);
    await expect(refundOrderPayment(order.id, 2000, 'admin:a')).rejects.toBeInstanceOf(PaymentUnavailableError);
    expect((await paymentStore.get(order.id))?.pendingRefund).toMatchObject({ sequence: 1, amount: 2000 });

    // Right away: the first request may still be in flight.
    expect((await problemOf(refundOrderPayment(order.id, 2000, 'admin:a')))?.status).toBe(409);

    // Later (the claim aged): the retry settles refund 1 with its own key.
    lose = false;
    await ddb().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME!,
        Key: keys.payment(order.id),
        UpdateExpression: 'SET pendingRefund.requestedAt = :old',
        ExpressionAttributeValues: { ':old': new Date(Date.now() - 120_000).toISOString() },
      }),
    );
    expect(await refundOrderPayment(order.id, 2000, 'admin:a')).toMatchObject({ status: 'partially_refunded', amountRefunded: 2000 });
    const intent = await intentOf(order.id);
    expect(intent?.events.filter((e) => e.type === 'refunded')).toHaveLength(1);
    expect(intent?.amountRefunded).toBe(2000);
    expect((await paymentStore.get(order.id))?.pendingRefund).toBeUndefined();
  });
});

describe('voidOrderPayment when the provider already captured', () => {
  it('records the capture found at the provider and refunds it instead of failing', async () => {
    const order = await createOrder();
    await authorizeOrderPayment(order);
    // Captured outside this service (e.g. in Stripe's dashboard): the record still says authorized.
    await sandbox.capture(order.id, (await paymentStore.get(order.id))!.intentId!);
    expect(await voidOrderPayment(order.id, 'customer')).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    expect((await paymentStore.get(order.id))?.history.map((h) => h.status)).toEqual(['authorized', 'captured', 'refunded']);
    expect((await intentOf(order.id))?.amountRefunded).toBe(5000);
  });
});
