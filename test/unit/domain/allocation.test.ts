import fc from 'fast-check';
import { allocate, byPriority, mergeLines, plannedShipments, type AllocationLocation, type Availability } from '../../../functions/domain/allocation';

/** A small world: up to 5 locations, up to 4 SKUs, stock 0–6 per (SKU, location), demand 1–8 per SKU. */
const world = fc
  .record({
    locations: fc.uniqueArray(fc.record({ id: fc.constantFrom('MAIN', 'EAST', 'WEST', 'NORTH', 'SOUTH'), priority: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 5, selector: (l) => l.id }),
    skus: fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D'), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ locations, skus }) =>
    fc.record({
      locations: fc.constant(locations),
      demand: fc.tuple(...skus.map((sku) => fc.integer({ min: 1, max: 8 }).map((quantity) => ({ sku, quantity })))),
      stock: fc.tuple(...skus.map(() => fc.tuple(...locations.map(() => fc.integer({ min: 0, max: 6 }))))),
    }),
  )
  .map(({ locations, demand, stock }) => {
    const availability = new Map(demand.map((line, i) => [line.sku, new Map(locations.map((loc, j) => [loc.id, stock[i]![j]!]))]));
    return { locations: locations as AllocationLocation[], demand, availability: availability as Availability };
  });

const at = (a: Availability, sku: string, loc: string) => a.get(sku)?.get(loc) ?? 0;
const covers = (set: AllocationLocation[], demand: { sku: string; quantity: number }[], a: Availability) =>
  demand.every((l) => set.reduce((n, loc) => n + at(a, l.sku, loc.id), 0) >= l.quantity);
function* subsets<T>(items: T[]): Generator<T[]> {
  for (let mask = 1; mask < 1 << items.length; mask++) yield items.filter((_, i) => mask & (1 << i));
}
const rankKey = (set: AllocationLocation[], sorted: AllocationLocation[]) => set.map((l) => sorted.indexOf(l)).sort((x, y) => x - y);
const lexLess = (a: number[], b: number[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
};

describe('allocate (property tests)', () => {
  it('a plan takes exactly the demand, never more than a location holds, one shipment per location, S1.. in priority order', () => {
    fc.assert(
      fc.property(world, ({ locations, demand, availability }) => {
        const result = allocate(demand, locations, availability);
        if (!result.ok) return;
        const sorted = [...locations].sort(byPriority);
        const ids = result.shipments.map((s) => s.location);
        expect(new Set(ids).size).toBe(ids.length);
        expect(result.shipments.map((s) => s.id)).toEqual(result.shipments.map((_, i) => `S${i + 1}`));
        expect(ids).toEqual(sorted.filter((l) => ids.includes(l.id)).map((l) => l.id));
        for (const line of demand) {
          const taken = result.shipments.flatMap((s) => s.lines.filter((l) => l.sku === line.sku).map((l) => ({ s, l })));
          expect(taken.reduce((n, { l }) => n + l.quantity, 0)).toBe(line.quantity);
          for (const { s, l } of taken) {
            expect(l.quantity).toBeGreaterThan(0);
            expect(l.quantity).toBeLessThanOrEqual(at(availability, line.sku, s.location));
          }
        }
        for (const s of result.shipments) expect(s.lines.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('fails as insufficient exactly when some SKU lacks units across all locations', () => {
    fc.assert(
      fc.property(world, ({ locations, demand, availability }) => {
        const result = allocate(demand, locations, availability);
        const short = demand.filter((l) => locations.reduce((n, loc) => n + at(availability, l.sku, loc.id), 0) < l.quantity).map((l) => l.sku);
        if (short.length) expect(result).toEqual({ ok: false, reason: 'insufficient', skus: short });
        else expect(result.ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('uses the fewest locations possible, and among equally few the best by priority', () => {
    fc.assert(
      fc.property(world, ({ locations, demand, availability }) => {
        const result = allocate(demand, locations, availability);
        if (!result.ok) return;
        const sorted = [...locations].sort(byPriority);
        const covering = [...subsets(sorted)].filter((set) => covers(set, demand, availability));
        const fewest = Math.min(...covering.map((s) => s.length));
        expect(result.shipments.length).toBe(fewest);
        const best = covering.filter((s) => s.length === fewest).map((s) => rankKey(s, sorted)).reduce((a, b) => (lexLess(b, a) ? b : a));
        const chosen = rankKey(result.shipments.map((s) => sorted.find((l) => l.id === s.location)!), sorted);
        expect(chosen).toEqual(best);
      }),
      { numRuns: 500 },
    );
  });

  it('a single location that can fill the order alone gets all of it: the highest-priority such one', () => {
    fc.assert(
      fc.property(world, ({ locations, demand, availability }) => {
        const sorted = [...locations].sort(byPriority);
        const single = sorted.find((loc) => covers([loc], demand, availability));
        fc.pre(single !== undefined);
        expect(allocate(demand, locations, availability)).toEqual({ ok: true, shipments: [{ id: 'S1', location: single!.id, lines: mergeLines(demand) }] });
      }),
      { numRuns: 300 },
    );
  });

  it('never plans more stock writes than allowed; says too-large rather than exceeding', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 1, max: 6 }), ({ locations, demand, availability }, maxActions) => {
        const result = allocate(demand, locations, availability, { maxActions });
        if (result.ok) expect(result.shipments.reduce((n, s) => n + s.lines.length, 0)).toBeLessThanOrEqual(maxActions);
        else if (result.reason === 'too-large') expect(allocate(demand, locations, availability).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and does not depend on the order locations are listed in', () => {
    fc.assert(
      fc.property(world, ({ locations, demand, availability }) => {
        expect(allocate(demand, [...locations].reverse(), availability)).toEqual(allocate(demand, locations, availability));
      }),
    );
  });
});

describe('allocate (examples)', () => {
  const locs = [{ id: 'MAIN', priority: 0 }, { id: 'EAST', priority: 1 }, { id: 'WEST', priority: 2 }];
  const stock = (rows: Record<string, Record<string, number>>) => new Map(Object.entries(rows).map(([sku, m]) => [sku, new Map(Object.entries(m))]));

  it('prefers one lower-priority location over a split that would start at MAIN', () => {
    const a = stock({ X: { MAIN: 5, WEST: 5 }, Y: { MAIN: 0, WEST: 1 } });
    expect(allocate([{ sku: 'X', quantity: 2 }, { sku: 'Y', quantity: 1 }], locs, a)).toEqual({ ok: true, shipments: [{ id: 'S1', location: 'WEST', lines: [{ sku: 'X', quantity: 2 }, { sku: 'Y', quantity: 1 }] }] });
  });

  it('splits one line across two locations when no location has all of it', () => {
    const a = stock({ X: { MAIN: 3, EAST: 0, WEST: 4 } });
    expect(allocate([{ sku: 'X', quantity: 6 }], locs, a)).toEqual({
      ok: true,
      shipments: [{ id: 'S1', location: 'MAIN', lines: [{ sku: 'X', quantity: 3 }] }, { id: 'S2', location: 'WEST', lines: [{ sku: 'X', quantity: 3 }] }],
    });
  });

  it('an order placed before locations existed ships from MAIN as S1', () => {
    expect(plannedShipments({ items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] })).toEqual([{ id: 'S1', location: 'MAIN', lines: [{ sku: 'A', quantity: 3 }] }]);
  });
});
