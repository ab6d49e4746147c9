import { effectsOf } from '../../../functions/outbox/effects';

/** Split shipments and returns in the outbox mapping: one email per shipment and per return step, ever. */
const s = (id: string, over: Record<string, unknown> = {}) => ({ id, location: 'MAIN', lines: [{ sku: `SKU-${id}`, quantity: 1 }], status: 'LABELLED', trackingNumber: `CP00000000${id.slice(1)}US`, ...over });
const order = (over: Record<string, unknown> = {}) => ({ entity: 'ORDER', id: 'o-1', status: 'LABELLED', stock: 'RESERVED', ...over });
const emails = (...args: Parameters<typeof effectsOf>) => effectsOf(...args).filter((e) => e.kind === 'email');

describe('split shipments', () => {
  const at = '2026-12-02T10:00:00.000Z';
  it('the first shipment leaving sends its own shipped email and tracking event, not the order-level one', () => {
    const before = order({ shipments: [s('S1'), s('S2')] });
    const after = order({ shipments: [s('S1', { status: 'SHIPPED', shippedAt: at }), s('S2')], shippedParts: 1 });
    const effects = effectsOf('MODIFY', before, after);
    expect(effects.filter((e) => e.kind === 'email')).toEqual([expect.objectContaining({ email: 'shipped', event: 'shipped-S1', extra: { shipment: expect.objectContaining({ id: 'S1', of: 2 }) } })]);
    expect(effects).toContainEqual({ kind: 'tracking-shipped', trackingNumber: 'CP000000001US', at });
  });

  it('the last shipment (the SHIPPED change) sends only its own email; replaying a change sends nothing new', () => {
    const before = order({ shipments: [s('S1', { status: 'SHIPPED', shippedAt: at }), s('S2')] });
    const after = order({ status: 'SHIPPED', stock: 'SHIPPED', shipments: [s('S1', { status: 'SHIPPED', shippedAt: at }), s('S2', { status: 'SHIPPED', shippedAt: at })] });
    expect(emails('MODIFY', before, after).map((e) => (e as { event?: string }).event)).toEqual(['shipped-S2']);
    // A later change (S1 delivered) repeats no shipped email.
    const later = order({ status: 'SHIPPED', shipments: [s('S1', { status: 'DELIVERED', shippedAt: at }), s('S2', { status: 'SHIPPED', shippedAt: at })] });
    expect(emails('MODIFY', after, later)).toEqual([]);
  });

  it('a single-shipment order keeps the one order-level shipped email', () => {
    const after = order({ status: 'SHIPPED', shipments: [s('S1', { status: 'SHIPPED', shippedAt: at })], shipment: { trackingNumber: 'CP000000001US', shippedAt: at } });
    expect(emails('MODIFY', order({ shipments: [s('S1')] }), after)).toEqual([{ kind: 'email', orderId: 'o-1', email: 'shipped' }]);
  });
});

describe('returns', () => {
  const r = (status: string, over: Record<string, unknown> = {}) => ({ entity: 'RETURN', id: 'o-1-RAAAAAAAA', orderId: 'o-1', status, items: [{ sku: 'A', quantity: 1, shipmentId: 'S1' }], ...over });
  it.each([
    ['REQUESTED', 'return-requested'],
    ['APPROVED', 'return-approved'],
    ['REJECTED', 'return-rejected'],
    ['RECEIVED', 'return-received'],
    ['REFUNDED', 'return-refunded'],
  ])('%s emails %s once, named by the return and status', (status, kind) => {
    const effects = emails(status === 'REQUESTED' ? 'INSERT' : 'MODIFY', status === 'REQUESTED' ? undefined : r('REQUESTED'), r(status, { refund: { amount: 100, currency: 'USD' }, trackingNumber: 'CP000000011US' }));
    expect(effects).toEqual([expect.objectContaining({ orderId: 'o-1', email: kind, event: `return-o-1-RAAAAAAAA-${status}` })]);
    expect(emails('MODIFY', r(status), r(status, { version: 2 }))).toEqual([]);
  });

  it("a return's refund is told by return-refunded only, an admin's refund by the refunded email", () => {
    const payment = (refunds: unknown[]) => ({ entity: 'PAYMENT', orderId: 'o-1', currency: 'USD', refunds });
    const byReturn = { sequence: 1, amount: 100, actor: 'return:o-1-RAAAAAAAA' };
    const byAdmin = { sequence: 2, amount: 50, actor: 'admin:a' };
    expect(emails('MODIFY', payment([]), payment([byReturn]))).toEqual([]);
    expect(emails('MODIFY', payment([byReturn]), payment([byReturn, byAdmin]))).toEqual([expect.objectContaining({ email: 'refunded', event: 'refunded-2' })]);
  });
});
