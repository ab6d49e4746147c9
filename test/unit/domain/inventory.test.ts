import fc from 'fast-check';
import { alertMessage, daysOfCover, isConsistent, isLow, quantitiesBySku } from '../../../functions/domain/inventory';

describe('inventory rules', () => {
  it('is low at or below the threshold', () => {
    expect(isLow({ available: 5, lowStockThreshold: 5 })).toBe(true);
    expect(isLow({ available: 6, lowStockThreshold: 5 })).toBe(false);
  });

  it('checks available = onHand − reserved and nothing negative', () => {
    expect(isConsistent({ sku: 'A', onHand: 10, reserved: 4, available: 6, lowStockThreshold: 1 })).toBe(true);
    expect(isConsistent({ sku: 'A', onHand: 10, reserved: 4, available: 5, lowStockThreshold: 1 })).toBe(false);
    expect(isConsistent({ sku: 'A', onHand: 2, reserved: 4, available: -2, lowStockThreshold: 1 })).toBe(false);
  });

  it('computes days of cover at the last 7 days’ rate, rounded down', () => {
    expect(daysOfCover(10, 14)).toBe(5); // 2 a day
    expect(daysOfCover(10, 3)).toBe(23.3); // 23.33… → 23.3, never overstated
    expect(daysOfCover(10, 0)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (available, sold) => {
        const cover = daysOfCover(available, sold)!;
        return cover <= (available * 7) / sold + 1e-9 && cover > (available * 7) / sold - 0.1 - 1e-9;
      }),
    );
  });

  it('merges lines by SKU', () => {
    expect([...quantitiesBySku([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }, { sku: 'A', quantity: 3 }])]).toEqual([
      ['A', 4],
      ['B', 2],
    ]);
  });

  it('writes an alert ops can act on', () => {
    const { subject, body } = alertMessage({ id: '1', sku: 'MUG-1', name: 'Mug', available: 3, threshold: 5, daysOfCover: 1.5, createdAt: '2026-11-26T00:00:00.000Z' });
    expect(subject).toContain('MUG-1');
    expect(body).toContain('Available: 3 (threshold 5)');
    expect(body).toContain('1.5 days of cover');
  });
});
