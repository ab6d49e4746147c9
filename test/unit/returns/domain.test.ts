import fc from 'fast-check';
import { assignReceived, orderIdOfReturn, refundFor, unreceived } from '../../../functions/domain/returns';
import { assignReturn, plannedShipments, returnableUnits } from '../../../functions/domain/shipments';

const now = new Date('2026-12-02T12:00:00Z');
const delivered = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

describe('plannedShipments', () => {
  it('an order without a plan is one shipment S1 from MAIN with every line', () => {
    const items = [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] as never;
    expect(plannedShipments({ items })).toEqual([{ id: 'S1', location: 'MAIN', lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] }]);
  });
});

describe('returnable units and assignment', () => {
  const order = {
    shipments: [
      { id: 'S1', location: 'MAIN', lines: [{ sku: 'A', quantity: 2 }], status: 'DELIVERED' as const, deliveredAt: delivered(3) },
      { id: 'S2', location: 'EAST', lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }], status: 'DELIVERED' as const, deliveredAt: delivered(40) },
      { id: 'S3', location: 'MAIN', lines: [{ sku: 'C', quantity: 1 }], status: 'SHIPPED' as const },
    ],
  };
  it('only delivered shipments within the window count, minus what returns hold', () => {
    expect(returnableUnits(order, { 'S1#A': 1 }, now, 30)).toEqual([{ shipmentId: 'S1', location: 'MAIN', sku: 'A', delivered: 2, remaining: 1 }]);
    expect(returnableUnits(order, {}, now, 45).map((u) => u.shipmentId)).toEqual(['S1', 'S2', 'S2']);
  });
  it('refuses more than remains, and a return across two locations', () => {
    const units = returnableUnits(order, {}, now, 45);
    expect(assignReturn(units, [{ sku: 'A', quantity: 2 }])).toEqual([{ shipmentId: 'S1', location: 'MAIN', sku: 'A', quantity: 2 }]);
    expect(assignReturn(units, [{ sku: 'A', quantity: 4 }])).toEqual({ error: 'exceeds', sku: 'A' });
    expect(assignReturn(units, [{ sku: 'A', quantity: 3 }])).toEqual({ error: 'locations' });
    expect(assignReturn(units, [{ sku: 'C', quantity: 1 }])).toEqual({ error: 'exceeds', sku: 'C' });
  });
  it('never assigns more than remains per (shipment, SKU) (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sku: fc.constantFrom('A', 'B'), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2 }), (items, held) => {
        const units = returnableUnits(order, { 'S1#A': held }, now, 45);
        const result = assignReturn(units, items);
        if ('error' in result) return;
        for (const u of units) {
          const taken = result.filter((r) => r.shipmentId === u.shipmentId && r.sku === u.sku).reduce((s, r) => s + r.quantity, 0);
          expect(taken).toBeLessThanOrEqual(u.remaining);
        }
      }),
    );
  });
});

describe('receiving', () => {
  const items = [{ sku: 'A', quantity: 2, shipmentId: 'S1' }, { sku: 'B', quantity: 1, shipmentId: 'S1' }];
  it('assigns received units to the lines, refuses more than requested, and gives the rest back', () => {
    const received = assignReceived(items, [{ sku: 'A', quantity: 1, disposition: 'restock' }, { sku: 'B', quantity: 1, disposition: 'scrap' }]);
    expect(received).toEqual([{ sku: 'A', shipmentId: 'S1', quantity: 1, disposition: 'restock' }, { sku: 'B', shipmentId: 'S1', quantity: 1, disposition: 'scrap' }]);
    expect(unreceived(items, received as never)).toEqual([{ shipmentId: 'S1', sku: 'A', quantity: 1 }, { shipmentId: 'S1', sku: 'B', quantity: 0 }]);
    expect(assignReceived(items, [{ sku: 'A', quantity: 3, disposition: 'restock' }])).toEqual({ exceeds: 'A' });
    expect(refundFor(received as never, new Map([['A', 1000], ['B', 500]]))).toBe(1500);
  });
  it('return ids carry their order id', () => {
    expect(orderIdOfReturn('6298300e-db7a-8d90-8309-4bdfdcd84c9c-R49805BB8')).toBe('6298300e-db7a-8d90-8309-4bdfdcd84c9c');
    expect(orderIdOfReturn('not-a-return')).toBeUndefined();
  });
});
