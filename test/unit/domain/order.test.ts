import { allowedFrom, canTransition, CANCELLABLE_STATUSES, ORDER_STATUSES, isTerminal } from '../../../functions/domain/order';

describe('order lifecycle', () => {
  it('follows PENDING → RESERVED → PAID → LABELLED → SHIPPED → DELIVERED and nothing skips a step', () => {
    const happy = ['PENDING', 'RESERVED', 'PAID', 'LABELLED', 'SHIPPED', 'DELIVERED'] as const;
    for (let i = 0; i < happy.length - 1; i++) expect(canTransition(happy[i], happy[i + 1])).toBe(true);
    expect(canTransition('PENDING', 'PAID')).toBe(false);
    expect(canTransition('RESERVED', 'SHIPPED')).toBe(false);
    expect(canTransition('PAID', 'DELIVERED')).toBe(false);
  });

  it('allows cancel only before SHIPPED', () => {
    expect(allowedFrom('CANCELLED').sort()).toEqual([...CANCELLABLE_STATUSES].sort());
    expect(canTransition('SHIPPED', 'CANCELLED')).toBe(false);
    expect(canTransition('DELIVERED', 'CANCELLED')).toBe(false);
  });

  it('never leaves a terminal status', () => {
    for (const from of ORDER_STATUSES.filter(isTerminal)) {
      for (const to of ORDER_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('cannot fail an order that shipped', () => {
    expect(allowedFrom('FAILED')).not.toContain('SHIPPED');
    expect(allowedFrom('FAILED')).toEqual(['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED']);
  });
});
