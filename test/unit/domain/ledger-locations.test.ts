import { movementsForChange } from '../../../functions/domain/ledger';
import { effectsOf } from '../../../functions/outbox/effects';
import type { Order } from '../../../functions/domain/order';

const base = {
  id: 'o1',
  items: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }],
  updatedAt: '2026-12-02T00:00:00.000Z',
  timeline: [{ at: '', status: 'RESERVED', actor: 'step:reserve-stock', reason: '' }],
  shipments: [
    { id: 'S1', location: 'MAIN', lines: [{ sku: 'A', quantity: 2 }] },
    { id: 'S2', location: 'WEST', lines: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }] },
  ],
} as unknown as Order;
const order = (stock: Order['stock'], shipped: string[] = []) =>
  ({ ...base, stock, shipments: base.shipments!.map((s) => (shipped.includes(s.id) ? { ...s, shippedAt: '2026-12-02T01:00:00.000Z' } : s)) }) as Order;
const brief = (ms: ReturnType<typeof movementsForChange>) => ms.map((m) => [m.type, m.sku, m.location, m.shipmentId, m.onHandDelta, m.reservedDelta]);

describe('ledger movements per shipment and location', () => {
  it('a reservation moves each (shipment, SKU) at its location', () => {
    expect(brief(movementsForChange(order('NONE'), order('RESERVED')))).toEqual([
      ['reservation', 'A', 'MAIN', 'S1', 0, 2],
      ['reservation', 'A', 'WEST', 'S2', 0, 3],
      ['reservation', 'B', 'WEST', 'S2', 0, 1],
    ]);
  });

  it('one shipment shipping on its own moves only its units; the rest ship or release later, never twice', () => {
    expect(brief(movementsForChange(order('RESERVED'), order('RESERVED', ['S2'])))).toEqual([
      ['shipment', 'A', 'WEST', 'S2', -3, -3],
      ['shipment', 'B', 'WEST', 'S2', -1, -1],
    ]);
    expect(brief(movementsForChange(order('RESERVED', ['S2']), order('SHIPPED', ['S2', 'S1'])))).toEqual([['shipment', 'A', 'MAIN', 'S1', -2, -2]]);
    expect(brief(movementsForChange(order('RESERVED', ['S2']), order('RELEASED', ['S2'])))).toEqual([['release', 'A', 'MAIN', 'S1', 0, -2]]);
    expect(movementsForChange(order('RESERVED', ['S2']), order('RESERVED', ['S2']))).toEqual([]);
  });

  it('the outbox projects a shipment shipping on its own, and checks low stock when a location goes down', () => {
    const records = effectsOf('MODIFY', { ...order('RESERVED'), entity: 'ORDER' } as never, { ...order('RESERVED', ['S1']), entity: 'ORDER' } as never);
    expect(records.map((e) => e.kind)).toContain('record-movements');
    expect(effectsOf('MODIFY', { ...order('RESERVED'), entity: 'ORDER' } as never, { ...order('RESERVED'), entity: 'ORDER' } as never).map((e) => e.kind)).not.toContain('record-movements');
    expect(effectsOf('MODIFY', { entity: 'LOCATION_STOCK', sku: 'A', available: 5 }, { entity: 'LOCATION_STOCK', sku: 'A', available: 3 })).toEqual([{ kind: 'check-low-stock', sku: 'A' }]);
    expect(effectsOf('MODIFY', { entity: 'LOCATION_STOCK', sku: 'A', available: 3 }, { entity: 'LOCATION_STOCK', sku: 'A', available: 5 })).toEqual([]);
  });
});
