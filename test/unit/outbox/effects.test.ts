import { effectsOf as allEffects } from '../../../functions/outbox/effects';

// Events for integrators are tested in test/unit/webhooks/events.test.ts; here, the change's own effects.
const effectsOf = (...args: Parameters<typeof allEffects>) => allEffects(...args).filter((e) => e.kind !== 'integration-event' && e.kind !== 'event-bus');

/** What each committed change causes (the outbox's mapping), and what it must not cause. */
const order = (over: Record<string, unknown> = {}) => ({ entity: 'ORDER', id: 'o-1', status: 'PENDING', ...over });
/** The effects other than business metrics (those have their own test). */
const acts = (...args: Parameters<typeof effectsOf>) => effectsOf(...args).filter((e) => e.kind !== 'count');

describe('order changes', () => {
  it('a new PENDING order starts its workflow, nothing else', () => {
    expect(effectsOf('INSERT', undefined, order({ stock: 'NONE' }))).toEqual([{ kind: 'start-workflow', orderId: 'o-1' }]);
  });

  it.each([
    ['PAID', 'confirmation'],
    ['SHIPPED', 'shipped'],
  ])('moving to %s sends the %s email', (status, email) => {
    expect(acts('MODIFY', order({ status: 'LABELLED' }), order({ status }))).toEqual([{ kind: 'email', orderId: 'o-1', email }]);
  });

  it.each([
    ['DELIVERED', 'delivered'],
    ['CANCELLED', 'cancelled'],
    ['FAILED', 'failed'],
  ])('moving to %s sends the %s email', (status, email) => {
    expect(acts('MODIFY', order({ status: 'PAID' }), order({ status }))).toEqual([{ kind: 'email', orderId: 'o-1', email }]);
  });

  it('SHIPPED also records the public tracking event (idempotent by its time)', () => {
    const after = order({ status: 'SHIPPED', shipment: { trackingNumber: 'CP000000001US', shippedAt: '2026-12-01T10:00:00.000Z' } });
    expect(acts('MODIFY', order({ status: 'LABELLED' }), after)).toContainEqual({ kind: 'tracking-shipped', trackingNumber: 'CP000000001US', at: '2026-12-01T10:00:00.000Z' });
  });

  it('a change that keeps the status (a timeline note) sends nothing', () => {
    expect(effectsOf('MODIFY', order({ status: 'PAID' }), order({ status: 'PAID', version: 3 }))).toEqual([]);
  });

  it('a change of the stock flag records the ledger movements, and only that', () => {
    const after = order({ status: 'PAID', stock: 'RELEASED' });
    expect(effectsOf('MODIFY', order({ status: 'PAID', stock: 'RESERVED' }), after)).toEqual([
      { kind: 'record-movements', orderId: 'o-1', before: order({ status: 'PAID', stock: 'RESERVED' }), after },
    ]);
  });

  it('each new refund on the payment record sends one refunded email and adds one timeline entry (who, how much), named by its sequence', () => {
    const payment = (refunds: { sequence: number; amount: number; actor: string }[]) => ({ entity: 'PAYMENT', orderId: 'o-1', currency: 'EUR', refunds });
    const first = { sequence: 1, amount: 500, actor: 'step:void-payment' };
    expect(effectsOf('MODIFY', payment([first]), payment([first, { sequence: 2, amount: 300, actor: 'admin:ops@example.com' }]))).toEqual([
      { kind: 'email', orderId: 'o-1', email: 'refunded', event: 'refunded-2', extra: { amount: { amount: 300, currency: 'EUR' } } },
      { kind: 'timeline-note', orderId: 'o-1', event: 'refund-2', actor: 'admin:ops@example.com', reason: 'Refunded €3.00 (refund 2)' },
    ]);
    expect(effectsOf('MODIFY', payment([first]), payment([first]))).toEqual([]);
  });

  it('needsAttention newly set raises the alarm effect once, not on later changes', () => {
    const flag = { reason: 'Compensation failed', since: '2026-12-01T00:00:00Z' };
    expect(acts('MODIFY', order({ status: 'FAILED' }), order({ status: 'FAILED', needsAttention: flag }))).toEqual([{ kind: 'needs-attention', orderId: 'o-1', reason: 'Compensation failed' }]);
    expect(effectsOf('MODIFY', order({ status: 'FAILED', needsAttention: flag }), order({ status: 'FAILED', needsAttention: flag, version: 9 }))).toEqual([]);
  });

  it('counts the business metrics from the committed change: paid, shipped, cancelled by whom, failed by reason, declines by code', () => {
    const counts = (after: Record<string, unknown>) => effectsOf('MODIFY', order({ status: 'RESERVED' }), order(after)).filter((e) => e.kind === 'count');
    expect(counts({ status: 'PAID' })).toEqual([{ kind: 'count', metric: 'OrdersPaid' }]);
    expect(counts({ status: 'SHIPPED' })).toEqual([{ kind: 'count', metric: 'OrdersShipped' }]);
    expect(counts({ status: 'CANCELLED', timeline: [{ actor: 'admin:a-1' }] })).toEqual([{ kind: 'count', metric: 'OrdersCancelled', dimensions: { by: 'admin' } }]);
    expect(counts({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', payment: { declineCode: 'insufficient_funds' } })).toEqual([
      { kind: 'count', metric: 'OrdersFailed', dimensions: { reason: 'PAYMENT_DECLINED' } },
      { kind: 'count', metric: 'PaymentDeclines', dimensions: { code: 'insufficient_funds' } },
    ]);
    // A change that keeps the status counts nothing (a redelivered or unrelated write is not a new order paid).
    expect(effectsOf('MODIFY', order({ status: 'PAID' }), order({ status: 'PAID', version: 4 })).filter((e) => e.kind === 'count')).toEqual([]);
  });

  it('removals cause nothing', () => {
    expect(effectsOf('REMOVE', order(), undefined)).toEqual([]);
  });
});

describe('alerts and stock', () => {
  it('a stored alert is published; its later updates (the published mark) are not', () => {
    expect(effectsOf('INSERT', undefined, { entity: 'ALERT', id: 'a-1' })).toEqual([{ kind: 'publish-alert', alertId: 'a-1' }]);
    expect(effectsOf('MODIFY', { entity: 'ALERT', id: 'a-1' }, { entity: 'ALERT', id: 'a-1', published: true })).toEqual([]);
  });

  const inventory = (available: number, armed = true) => ({ entity: 'INVENTORY', pk: 'PRODUCT#SKU-1', sku: 'SKU-1', available, lowStockThreshold: 3, lowAlertArmed: armed });
  it('stock falling to the threshold while armed checks the crossing; rising or disarmed does not', () => {
    expect(effectsOf('MODIFY', inventory(5), inventory(3))).toEqual([{ kind: 'check-low-stock', sku: 'SKU-1' }]);
    expect(effectsOf('MODIFY', inventory(2), inventory(3))).toEqual([]);
    expect(effectsOf('MODIFY', inventory(5, false), inventory(3, false))).toEqual([]);
    expect(effectsOf('MODIFY', inventory(9), inventory(8))).toEqual([]);
  });
});
