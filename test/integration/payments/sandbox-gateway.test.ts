import { randomUUID } from 'node:crypto';
import { useIsolatedTables } from '../../support/dynamo';
import { SandboxGateway, sandboxIntentId } from '../../../functions/adapters/payments/sandbox-gateway';
import { PaymentStateError, PaymentUnavailableError, idempotencyKeys } from '../../../functions/payments/gateway';

useIsolatedTables();

const gateway = new SandboxGateway();
const newOrderId = () => `ord_${randomUUID().slice(0, 8)}`;
const authorize = (orderId: string, paymentMethodId: string, amount = 5000) =>
  gateway.authorize({ orderId, amount: { amount, currency: 'USD' }, paymentMethodId });

describe('sandbox gateway: SPEC.md outcome table', () => {
  it.each([
    ['pm_card_visa', 'visa', '4242'],
    ['pm_card_mastercard', 'mastercard', '4444'],
    ['pm_card_amex', 'amex', '8431'],
  ])('%s is authorized as %s ending %s, intent requires_capture', async (pm, brand, last4) => {
    const orderId = newOrderId();
    const result = await authorize(orderId, pm);
    expect(result).toEqual({
      outcome: 'authorized',
      intentId: sandboxIntentId(idempotencyKeys.authorize(orderId)),
      status: 'requires_capture',
      card: { brand, last4, expMonth: 12, expYear: new Date().getUTCFullYear() + 3 },
      captureBefore: expect.any(String),
    });
    // Sandbox authorizations lapse 7 days after they were made (SPEC.md "Authorization expiry").
    const days = (Date.parse((result as { captureBefore: string }).captureBefore) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect((await gateway.get((result as { intentId: string }).intentId))?.status).toBe('requires_capture');
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
    ['pm_card_unknown', 'invalid_payment_method'],
    ['tok_visa', 'invalid_payment_method'],
  ])('%s is declined with %s and leaves the intent in requires_payment_method', async (pm, declineCode) => {
    const result = await authorize(newOrderId(), pm);
    expect(result).toMatchObject({ outcome: 'declined', declineCode, message: expect.any(String) });
    const intent = await gateway.get((result as { intentId: string }).intentId);
    expect(intent?.status).toBe('requires_payment_method');
  });

  it('pm_card_sandboxUnavailable fails as a transient provider error, every time, with nothing stored', async () => {
    const orderId = newOrderId();
    for (let i = 0; i < 2; i++) {
      const error = await authorize(orderId, 'pm_card_sandboxUnavailable').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentUnavailableError);
      expect((error as Error).name).toBe('PaymentUnavailable');
    }
    expect(await gateway.get(sandboxIntentId(idempotencyKeys.authorize(orderId)))).toBeUndefined();
  });
});

describe('sandbox gateway: PaymentIntent states and idempotency', () => {
  it('the same authorize key twice (even concurrently) makes one intent with one effect', async () => {
    const orderId = newOrderId();
    const results = await Promise.all([authorize(orderId, 'pm_card_visa'), authorize(orderId, 'pm_card_visa'), authorize(orderId, 'pm_card_visa')]);
    expect(new Set(results.map((r) => (r as { intentId: string }).intentId)).size).toBe(1);
    const intent = await gateway.get((results[0] as { intentId: string }).intentId);
    expect(intent?.events.filter((e) => e.type === 'authorized')).toHaveLength(1);
  });

  it('refuses to reuse an authorize key with different parameters (as Stripe does)', async () => {
    const orderId = newOrderId();
    await authorize(orderId, 'pm_card_visa', 5000);
    await expect(authorize(orderId, 'pm_card_visa', 9999)).rejects.toThrow(/different parameters/);
  });

  it('capture: requires_capture → succeeded once, however often it is retried', async () => {
    const orderId = newOrderId();
    const { intentId } = (await authorize(orderId, 'pm_card_visa')) as { intentId: string };
    const results = await Promise.all(Array.from({ length: 5 }, () => gateway.capture(orderId, intentId)));
    for (const result of results) expect(result).toMatchObject({ status: 'succeeded', amountCaptured: 5000 });
    const intent = await gateway.get(intentId);
    expect(intent).toMatchObject({ status: 'succeeded', amountReceived: 5000 });
    expect(intent?.events.filter((e) => e.type === 'captured')).toHaveLength(1);
  });

  it('void: requires_capture → canceled; capture afterwards is a state error; void again is a no-op', async () => {
    const orderId = newOrderId();
    const { intentId } = (await authorize(orderId, 'pm_card_mastercard')) as { intentId: string };
    expect(await gateway.cancel(orderId, intentId)).toMatchObject({ status: 'canceled', amountCaptured: 0 });
    expect(await gateway.cancel(orderId, intentId)).toMatchObject({ status: 'canceled' });
    await expect(gateway.capture(orderId, intentId)).rejects.toBeInstanceOf(PaymentStateError);
    expect((await gateway.get(intentId))?.events.filter((e) => e.type === 'canceled')).toHaveLength(1);
  });

  it('a captured intent cannot be voided', async () => {
    const orderId = newOrderId();
    const { intentId } = (await authorize(orderId, 'pm_card_visa')) as { intentId: string };
    await gateway.capture(orderId, intentId);
    const error = await gateway.cancel(orderId, intentId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentStateError);
    expect((error as PaymentStateError).intentStatus).toBe('succeeded');
  });

  it('refunds: distinct keys both go through, a retried key has no second effect, the total never exceeds the capture', async () => {
    const orderId = newOrderId();
    const { intentId } = (await authorize(orderId, 'pm_card_visa')) as { intentId: string };
    await expect(gateway.refund(orderId, intentId, { amount: 100, sequence: 1 })).rejects.toBeInstanceOf(PaymentStateError); // not captured yet
    await gateway.capture(orderId, intentId);

    const first = await gateway.refund(orderId, intentId, { amount: 1000, sequence: 1 });
    const retried = await gateway.refund(orderId, intentId, { amount: 1000, sequence: 1 });
    const second = await gateway.refund(orderId, intentId, { amount: 1000, sequence: 2 });
    expect(retried).toEqual(first);
    expect(second.refundId).not.toBe(first.refundId);
    expect((await gateway.get(intentId))?.amountRefunded).toBe(2000);

    await expect(gateway.refund(orderId, intentId, { amount: 3001, sequence: 3 })).rejects.toBeInstanceOf(PaymentStateError);
    const rest = await gateway.refund(orderId, intentId, { sequence: 3 });
    expect(rest.amount).toBe(3000);
    await expect(gateway.refund(orderId, intentId, { sequence: 4 })).rejects.toThrow(/fully refunded/);
    const intent = await gateway.get(intentId);
    expect(intent?.amountRefunded).toBe(5000);
    expect(intent?.events.filter((e) => e.type === 'refunded').map((e) => e.amount)).toEqual([1000, 1000, 3000]);
  });

  it('concurrent refunds with different keys cannot overdraw the captured amount', async () => {
    const orderId = newOrderId();
    const { intentId } = (await authorize(orderId, 'pm_card_visa')) as { intentId: string };
    await gateway.capture(orderId, intentId);
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => gateway.refund(orderId, intentId, { amount: 2000, sequence: i + 1 })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    expect((await gateway.get(intentId))?.amountRefunded).toBe(4000);
  });
});
