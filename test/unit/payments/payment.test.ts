import { applyObservation, toSummary, type PaymentRecord } from '../../../functions/payments/payment';

const at = '2026-01-01T00:00:00.000Z';
const record = (over: Partial<PaymentRecord> = {}): PaymentRecord => ({
  orderId: 'o1',
  provider: 'stripe',
  intentId: 'pi_1',
  amount: { amount: 5000, currency: 'USD' },
  amountCaptured: 0,
  amountRefunded: 0,
  currency: 'USD',
  status: 'authorized',
  card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
  history: [{ at, status: 'authorized', source: 'workflow:authorize' }],
  refunds: [],
  refundSequence: 0,
  createdAt: at,
  updatedAt: at,
  version: 1,
  ...over,
});

describe('applyObservation (webhook state rules)', () => {
  it('moves authorized → captured with the captured amount', () => {
    const next = applyObservation(record(), { intentId: 'pi_1', status: 'captured', amountCaptured: 5000 }, 'stripe:payment_intent.succeeded', at)!;
    expect(next).toMatchObject({ status: 'captured', amountCaptured: 5000 });
    expect(next.history.at(-1)).toEqual({ at, status: 'captured', source: 'stripe:payment_intent.succeeded' });
  });

  it('never regresses: a late amount_capturable_updated after capture changes nothing', () => {
    expect(applyObservation(record({ status: 'captured', amountCaptured: 5000 }), { intentId: 'pi_1', status: 'authorized' }, 's', at)).toBeUndefined();
    expect(applyObservation(record({ status: 'refunded', amountCaptured: 5000, amountRefunded: 5000 }), { intentId: 'pi_1', status: 'captured', amountCaptured: 5000 }, 's', at)).toBeUndefined();
  });

  it('does not let a void override a capture or a decline override an authorization', () => {
    expect(applyObservation(record({ status: 'captured', amountCaptured: 5000 }), { intentId: 'pi_1', status: 'voided' }, 's', at)).toBeUndefined();
    expect(applyObservation(record(), { intentId: 'pi_1', status: 'declined', declineCode: 'generic_decline' }, 's', at)).toBeUndefined();
  });

  it('takes the cumulative refunded amount and never counts it twice', () => {
    const captured = record({ status: 'captured', amountCaptured: 5000 });
    const partial = applyObservation(captured, { intentId: 'pi_1', amountRefunded: 2000, amountCaptured: 5000 }, 'stripe:charge.refunded', at)!;
    expect(partial).toMatchObject({ status: 'partially_refunded', amountRefunded: 2000 });
    expect(applyObservation(partial, { intentId: 'pi_1', amountRefunded: 2000, amountCaptured: 5000 }, 's', at)).toBeUndefined();
    const full = applyObservation(partial, { intentId: 'pi_1', amountRefunded: 5000, amountCaptured: 5000 }, 's', at)!;
    expect(full).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
  });

  it('ignores events about another intent', () => {
    expect(applyObservation(record(), { intentId: 'pi_other', status: 'captured', amountCaptured: 5000 }, 's', at)).toBeUndefined();
  });

  it('lets a failed attempt adopt the intent the provider reports (authorize timed out after Stripe acted)', () => {
    const failed = record({ status: 'failed', intentId: undefined, card: undefined });
    const next = applyObservation(failed, { intentId: 'pi_9', status: 'authorized' }, 's', at)!;
    expect(next).toMatchObject({ intentId: 'pi_9', status: 'authorized' });
  });
});

describe('toSummary', () => {
  it('exposes only ids, amounts, status and the allowed card fields', () => {
    expect(toSummary(record({ status: 'captured', amountCaptured: 5000, amountRefunded: 100 }))).toEqual({
      provider: 'stripe',
      paymentIntentId: 'pi_1',
      status: 'captured',
      amount: { amount: 5000, currency: 'USD' },
      amountRefunded: 100,
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
    });
  });
});
