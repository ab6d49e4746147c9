import { effectsOf } from '../../../functions/outbox/effects';
import { expectedOrderEvents, expectedRecordEvents, orderEvents, eventsOf } from '../../../functions/webhooks/events';
import { retryDelayMs, givesUp, type RetrySchedule } from '../../../functions/webhooks/schedule';
import { signatureHeader, signingSecrets } from '../../../functions/webhooks/signature';
import type { Order } from '../../../functions/domain/order';

const order = (over: Record<string, unknown> = {}) => ({
  entity: 'ORDER', id: 'o-1', number: 1001, userId: 'u', status: 'RESERVED', stock: 'NONE', version: 1,
  customer: { name: 'Ada', email: 'ada@example.com', phone: '+44 1' },
  shippingAddress: { line1: '1 Way', city: 'London', postalCode: 'N1', country: 'GB' },
  items: [{ sku: 'S', name: 'W', quantity: 1, unitPrice: { amount: 1, currency: 'USD' }, lineTotal: { amount: 1, currency: 'USD' } }],
  total: { amount: 1, currency: 'USD' }, timeline: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  ...over,
}) as unknown as Order;
const types = (before: Order | undefined, after: Order) => orderEvents(before, after).map((e) => e.type);

describe('events derived from committed order changes', () => {
  it('placed on insert; paid, delivered, cancelled, failed on those status changes; nothing on other writes', () => {
    expect(types(undefined, order())).toEqual(['order.placed']);
    expect(types(order(), order({ status: 'PAID', version: 2 }))).toEqual(['order.paid']);
    expect(types(order({ status: 'SHIPPED' }), order({ status: 'DELIVERED', version: 5 }))).toEqual(['order.delivered']);
    expect(types(order(), order({ status: 'CANCELLED', version: 2 }))).toEqual(['order.cancelled']);
    expect(types(order(), order({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', version: 2 }))).toEqual(['order.failed']);
    expect(types(order({ status: 'PAID' }), order({ status: 'LABELLED', version: 3 }))).toEqual([]);
    expect(types(order({ status: 'PAID' }), order({ status: 'PAID', version: 3 }))).toEqual([]);
  });

  it('payment_action_required by status name, a new event each time it recurs', () => {
    const first = orderEvents(order(), order({ status: 'PAYMENT_ACTION_REQUIRED', version: 2 }));
    const again = orderEvents(order({ status: 'RESERVED', version: 3 }), order({ status: 'PAYMENT_ACTION_REQUIRED', version: 4 }));
    expect(first.map((e) => e.type)).toEqual(['order.payment_action_required']);
    expect(first[0]!.id).not.toBe(again[0]!.id);
  });

  it('shipped once per shipment: the single shipment of today and a future shipments list', () => {
    const s1 = { trackingNumber: 'RR1', trackingUrl: 'u1', carrier: 'c', service: 's', shippedAt: '2026-01-02T00:00:00Z' };
    const s2 = { trackingNumber: 'RR2', trackingUrl: 'u2', carrier: 'c', service: 's', shippedAt: '2026-01-03T00:00:00Z' };
    expect(types(order({ status: 'LABELLED' }), order({ status: 'SHIPPED', shipment: s1, version: 4 }))).toEqual(['order.shipped']);
    expect(types(order({ status: 'SHIPPED', shipment: s1 }), order({ status: 'SHIPPED', shipment: s1, version: 5 }))).toEqual([]);
    const split = orderEvents(order({ shipments: [s1, { ...s2, shippedAt: undefined }] }), order({ shipments: [s1, s2], version: 6 }));
    expect(split.map((e) => [e.type, (e.data.shipment as { trackingNumber: string }).trackingNumber])).toEqual([['order.shipped', 'RR2']]);
  });

  it('the same change always gives the same event ids; events carry no personal data', () => {
    const a = orderEvents(undefined, order());
    expect(orderEvents(undefined, order())).toEqual(a);
    expect(JSON.stringify(a)).not.toMatch(/ada@example.com|Ada|1 Way|London|\+44/);
    expect(a[0]!.data).toMatchObject({ number: 1001, status: 'RESERVED', shippingCountry: 'GB' });
  });

  it('refunds and low-stock alerts; the outbox turns events into effects and stored events into bus effects', () => {
    const payment = (refunds: { sequence: number; amount: number }[]) => ({ entity: 'PAYMENT', orderId: 'o-1', currency: 'USD', amountRefunded: refunds.reduce((s, r) => s + r.amount, 0), refunds: refunds.map((r) => ({ ...r, refundId: `r${r.sequence}`, at: `2026-01-0${r.sequence}T00:00:00Z`, actor: 'a' })) });
    const refunded = eventsOf('MODIFY', payment([{ sequence: 1, amount: 5 }]), payment([{ sequence: 1, amount: 5 }, { sequence: 2, amount: 3 }]));
    expect(refunded.map((e) => [e.type, e.data.refund])).toEqual([['order.refunded', { sequence: 2, amount: { amount: 3, currency: 'USD' } }]]);
    const low = eventsOf('INSERT', undefined, { entity: 'ALERT', id: 'a1', sku: 'SKU-9', available: 2, threshold: 5, createdAt: '2026-01-01T00:00:00Z' });
    expect(low).toMatchObject([{ type: 'inventory.low_stock', stream: 'product:SKU-9', data: { sku: 'SKU-9', available: 2, threshold: 5 } }]);
    expect(low[0]!.orderId).toBeUndefined();
    expect(effectsOf('INSERT', undefined, order() as unknown as Record<string, unknown>).filter((e) => e.kind === 'integration-event')).toHaveLength(1);
    const stored = { entity: 'INTEGRATION_EVENT', pk: 'EVENTS#order:o-1', sk: 'SEQ#0000000003', eventId: 'evt_1', type: 'order.paid', stream: 'order:o-1', sequence: 3, createdAt: '2026-01-01T00:00:00Z', orderId: 'o-1', data: { status: 'PAID' }, gsi1pk: 'EVENTS' };
    expect(effectsOf('INSERT', undefined, stored)).toEqual([{ kind: 'event-bus', event: { id: 'evt_1', type: 'order.paid', createdAt: '2026-01-01T00:00:00Z', orderId: 'o-1', sequence: 3, data: { status: 'PAID' } } }]);
    expect(effectsOf('MODIFY', stored, stored)).toEqual([]);
    expect(effectsOf('REMOVE', order() as unknown as Record<string, unknown>, undefined)).toEqual([]);
  });
});

describe('return events', () => {
  const ret = (over: Record<string, unknown> = {}) => ({
    entity: 'RETURN', id: 'o-1-R1', orderId: 'o-1', userId: 'u', status: 'REQUESTED', location: 'MAIN', version: 1,
    items: [{ sku: 'S', quantity: 1, reason: 'too small', shipmentId: 'S1' }], timeline: [],
    createdAt: '2026-01-02T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', ...over,
  });

  it('one event per status change, in the order\'s stream, with what is returned and never who', () => {
    const steps = [
      [undefined, ret()],
      [ret(), ret({ status: 'APPROVED', trackingNumber: 'CP000000001US', version: 2 })],
      [ret({ status: 'APPROVED' }), ret({ status: 'RECEIVED', received: [{ sku: 'S', shipmentId: 'S1', quantity: 1, disposition: 'restock' }], version: 3 })],
      [ret({ status: 'RECEIVED' }), ret({ status: 'REFUNDED', refund: { amount: 1, currency: 'USD' }, version: 4 })],
      [ret(), ret({ status: 'REJECTED', rejectionReason: 'worn', version: 2 })],
    ] as const;
    const events = steps.map(([before, after]) => eventsOf(before ? 'MODIFY' : 'INSERT', before, after));
    expect(events.map((e) => e.map((x) => x.type))).toEqual([['return.requested'], ['return.approved'], ['return.received'], ['return.refunded'], ['return.rejected']]);
    for (const [event] of events) expect(event).toMatchObject({ stream: 'order:o-1', orderId: 'o-1', data: { return: { id: 'o-1-R1' } } });
    expect(events[2]![0]!.data).toMatchObject({ return: { received: [{ sku: 'S', quantity: 1, disposition: 'restock' }] } });
    expect(JSON.stringify(events)).not.toMatch(/too small|worn|"u"/);
    // A write that changes no status (the carrier's arrival) is no event; a replayed change is the same event.
    expect(eventsOf('MODIFY', ret({ status: 'APPROVED' }), ret({ status: 'APPROVED', arrivedAt: '2026-01-03T00:00:00Z', version: 3 }))).toEqual([]);
    expect(eventsOf('MODIFY', ret(), ret({ status: 'APPROVED', version: 2 }))[0]!.id).toBe(events[1]![0]!.id);
  });
});

describe('retry schedule', () => {
  const schedule: RetrySchedule = { baseMs: 5000, maxMs: 3_600_000, windowMs: 72 * 3_600_000, timeoutMs: 10_000 };
  it('first retry within 10 s, second within a minute, doubling with jitter up to an hour, for 72 h', () => {
    expect(retryDelayMs(1, schedule, () => 1)).toBeLessThanOrEqual(10_000);
    expect(retryDelayMs(1, schedule, () => 0)).toBe(2500);
    expect(retryDelayMs(2, schedule, () => 1) + retryDelayMs(1, schedule, () => 1)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(30, schedule, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(30, schedule, () => 0)).toBe(1_800_000);
    // The attempts that fit in the window: enough that the last one is at least 72 h after the first.
    let at = 0;
    let n = 0;
    while (!givesUp(new Date(0).toISOString(), at, schedule)) at += retryDelayMs(++n, schedule, () => 0.5);
    expect(at).toBeGreaterThanOrEqual(72 * 3_600_000);
    expect(n).toBeGreaterThan(50);
  });
});

describe('signatures', () => {
  it('t=…,v1=… with one v1 per valid secret; expired rotated-out secrets no longer sign', () => {
    const header = signatureHeader(['a', 'b'], '{"x":1}', 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const now = new Date('2026-01-02T00:00:00Z');
    expect(signingSecrets([{ secret: 'new', createdAt: '' }, { secret: 'old', createdAt: '', expiresAt: '2026-01-03T00:00:00Z' }, { secret: 'gone', createdAt: '', expiresAt: '2026-01-01T00:00:00Z' }], now)).toEqual(['new', 'old']);
  });
});

describe('the events an order has caused, as the reconciler names them', () => {
  it('are exactly the events its changes gave the outbox, with the same ids, in the order they happened', () => {
    const at = (h: number) => `2026-01-01T0${h}:00:00.000Z`;
    const log = (...statuses: string[]) => statuses.map((status, i) => ({ status, at: at(i + 1) }));
    const s1 = { trackingNumber: 'RR1', trackingUrl: 'u', carrier: 'self', service: 'std', shippedAt: at(5) };
    const life = [
      order({ timeline: [{ at: at(0), status: 'PENDING', actor: 't', reason: '' }], status: 'PENDING', createdAt: at(0), updatedAt: at(0) }),
      order({ status: 'RESERVED', statusLog: log('RESERVED'), version: 2, updatedAt: at(1) }),
      order({ status: 'PAYMENT_ACTION_REQUIRED', statusLog: log('RESERVED', 'PAYMENT_ACTION_REQUIRED'), version: 3, updatedAt: at(2) }),
      order({ status: 'PAID', statusLog: log('RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID'), version: 5, updatedAt: at(3) }),
      order({ status: 'LABELLED', statusLog: log('RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED'), version: 6, updatedAt: at(4) }),
      order({ status: 'SHIPPED', shipment: s1, statusLog: log('RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED', 'SHIPPED'), version: 7, updatedAt: at(5) }),
    ].map((o) => ({ ...o, timeline: [{ at: at(0), status: 'PENDING' as const, actor: 't', reason: '' }], createdAt: at(0) }));
    const fromOutbox = life.flatMap((after, i) => orderEvents(life[i - 1], after));
    const expected = expectedOrderEvents(life.at(-1)!);
    expect(expected.map((e) => e.id)).toEqual(fromOutbox.map((e) => e.id));
    expect(expected.map((e) => e.type)).toEqual(['order.placed', 'order.payment_action_required', 'order.paid', 'order.shipped']);
    // A repaired status event says the status of its transition, not the order's status now.
    expect(expected.find((e) => e.type === 'order.paid')!.data.status).toBe('PAID');
  });
});

describe('the events an order\'s payment record and returns have caused, as the reconciler names them', () => {
  it('are the refund and return events their changes gave the outbox, with the same ids', () => {
    const refund = (sequence: number, extra: Record<string, unknown> = {}) => ({ sequence, amount: 100 * sequence, at: `2026-01-0${sequence}T00:00:00.000Z`, actor: 'admin:a', ...extra });
    const payment = (refunds: unknown[]) => ({ entity: 'PAYMENT', orderId: 'o-1', currency: 'USD', amountRefunded: 300, refunds }) as never;
    const paymentLife = [payment([]), payment([refund(1)]), payment([refund(1), refund(2)])];
    const step = (status: string, n: number) => ({ at: `2026-02-0${n}T00:00:00.000Z`, status, actor: 'a', reason: status });
    const ret = (timeline: ReturnType<typeof step>[]) => ({
      entity: 'RETURN', id: 'r-1', orderId: 'o-1', status: timeline.at(-1)!.status, location: 'MAIN', items: [{ sku: 'S', quantity: 1, shipmentId: 'S1' }],
      timeline, createdAt: timeline[0]!.at, updatedAt: timeline.at(-1)!.at,
    }) as never;
    const returnLife = [ret([step('REQUESTED', 1)]), ret([step('REQUESTED', 1), step('APPROVED', 2)]), ret([step('REQUESTED', 1), step('APPROVED', 2), step('RECEIVED', 3)])];
    const fromOutbox = [
      ...paymentLife.flatMap((after, i) => eventsOf(i ? 'MODIFY' : 'INSERT', paymentLife[i - 1], after)),
      ...returnLife.flatMap((after, i) => eventsOf(i ? 'MODIFY' : 'INSERT', returnLife[i - 1], after)),
    ];
    const expected = expectedRecordEvents(paymentLife.at(-1), [returnLife.at(-1)!]);
    expect(expected.map((e) => e.id)).toEqual(fromOutbox.map((e) => e.id));
    expect(expected.map((e) => e.type)).toEqual(['order.refunded', 'order.refunded', 'return.requested', 'return.approved', 'return.received']);
    expect(expected.map((e) => (e.data.return as { status?: string } | undefined)?.status).slice(2)).toEqual(['REQUESTED', 'APPROVED', 'RECEIVED']);
    // A refund that failed before it was recorded was no refund: the outbox made no event, nor does this.
    expect(expectedRecordEvents(payment([refund(1, { failedAt: '2026-01-01T00:00:01.000Z' })]), [])).toEqual([]);
  });
});
