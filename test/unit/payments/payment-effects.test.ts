import { effectsOf } from '../../../functions/outbox/effects';

/** Which side effects the payment changes of issue #11 imply, from committed images (pure). */
const order = (over: Record<string, unknown>) => ({ entity: 'ORDER', id: 'o1', status: 'RESERVED', stock: 'RESERVED', timeline: [], ...over });

it('PAYMENT_ACTION_REQUIRED sends the action-required email once, on the status change only', () => {
  const waiting = order({ status: 'PAYMENT_ACTION_REQUIRED', payment: { nextAction: { type: 'redirect_to_url', url: 'http://x/sandbox/payments/pi_sbx_1' } } });
  expect(effectsOf('MODIFY', order({}), waiting)).toContainEqual({ kind: 'email', orderId: 'o1', email: 'action-required' });
  // Another write while still waiting (e.g. the payment summary refreshed) sends nothing.
  expect(effectsOf('MODIFY', waiting, { ...waiting, updatedAt: 'later' }).filter((e) => e.kind === 'email')).toEqual([]);
});

it('payment kinds of needsAttention count PaymentAttention, a compensation failure stays a needs-attention effect', () => {
  const flagged = (kind?: string) => order({ status: 'PAID', needsAttention: { reason: 'r', since: 't', ...(kind ? { kind } : {}) } });
  for (const kind of ['dispute', 'refund-failed', 'authorization-expiring']) {
    const effects = effectsOf('MODIFY', order({ status: 'PAID' }), flagged(kind));
    expect(effects).toContainEqual({ kind: 'count', metric: 'PaymentAttention', dimensions: { kind } });
    expect(effects.some((e) => e.kind === 'needs-attention')).toBe(false);
  }
  expect(effectsOf('MODIFY', order({ status: 'PAID' }), flagged())).toContainEqual({ kind: 'needs-attention', orderId: 'o1', reason: 'r' });
  // Unchanged flag: nothing again.
  expect(effectsOf('MODIFY', flagged('dispute'), flagged('dispute'))).toEqual([]);
});

it('a refund recorded as already failed sends no refunded email', () => {
  const payment = (refunds: unknown[]) => ({ entity: 'PAYMENT', orderId: 'o1', currency: 'USD', refunds });
  const ok = { refundId: 're_1', sequence: 1, amount: 100, at: 't', actor: 'admin:x' };
  expect(effectsOf('MODIFY', payment([]), payment([ok])).filter((e) => e.kind === 'email')).toHaveLength(1);
  expect(effectsOf('MODIFY', payment([]), payment([{ ...ok, failedAt: 't' }]))).toEqual([]);
});

it('sandbox cards that misbehave later: one effect per new refund of pm_card_refundFail, one dispute per capture of pm_card_createDispute', () => {
  const intent = (over: Record<string, unknown>) => ({ entity: 'SANDBOX_INTENT', id: 'pi_sbx_1', status: 'succeeded', paymentMethod: 'pm_card_refundFail', events: [], ...over });
  const refunded = { type: 'refunded', idempotencyKey: 'order-o1-refund-1', at: '2026-12-02T00:00:00.000Z', amount: 100 };
  expect(effectsOf('MODIFY', intent({}), intent({ events: [refunded] }))).toEqual([
    { kind: 'sandbox-later', intentId: 'pi_sbx_1', what: 'refund-fails', idempotencyKey: 'order-o1-refund-1', at: refunded.at },
  ]);
  expect(effectsOf('MODIFY', intent({ events: [refunded] }), intent({ events: [refunded], amountRefunded: 0 }))).toEqual([]);
  // Other cards: nothing.
  expect(effectsOf('MODIFY', intent({ paymentMethod: 'pm_card_visa' }), intent({ paymentMethod: 'pm_card_visa', events: [refunded] }))).toEqual([]);

  const captured = { type: 'captured', idempotencyKey: 'order-o1-capture', at: '2026-12-02T00:00:01.000Z' };
  const dispute = (over: Record<string, unknown>) => intent({ paymentMethod: 'pm_card_createDispute', ...over });
  expect(effectsOf('MODIFY', dispute({ status: 'requires_capture' }), dispute({ events: [captured] }))).toEqual([{ kind: 'sandbox-later', intentId: 'pi_sbx_1', what: 'disputed', at: captured.at }]);
  expect(effectsOf('MODIFY', dispute({ events: [captured] }), dispute({ events: [captured], amountRefunded: 5 }))).toEqual([]);
});
