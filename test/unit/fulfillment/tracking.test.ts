import fc from 'fast-check';
import {
  applyTrackingEvent,
  isValidTrackingNumber,
  makeTrackingNumber,
  MAX_SERIAL,
  parseTrackingNumber,
  s10CheckDigit,
  trackingEventKey,
  type TrackingState,
} from '../../../functions/domain/tracking';

/**
 * Reference check digits, each worked by hand from UPU S10 (weights 8 6 4 2 3 5 9 7; 11 − sum mod 11;
 * 10 → 0, 11 → 5), so the implementation is compared with arithmetic, not with itself.
 */
const published: [string, string][] = [
  // UPU S10 standard's own example. 4·8+7·6+3·4+1·2+2·3+4·5+8·9+2·7 = 200; 200 mod 11 = 2; 11−2 = 9.
  ['RA473124829GB', '47312482'],
  // The common specimen "EE123456785US": 8+12+12+8+15+30+63+56 = 204; 204 mod 11 = 6; 11−6 = 5.
  ['EE123456785US', '12345678'],
];

describe('S10 check digit', () => {
  it.each(published)('%s is valid and rebuilt from its serial', (number, serial) => {
    expect(isValidTrackingNumber(number)).toBe(true);
    expect(makeTrackingNumber(number.slice(0, 2), Number(serial), number.slice(-2))).toBe(number);
  });

  it('computes plain cases and maps 11 − (sum mod 11) = 11 to 5 (sum ≡ 0)', () => {
    expect(s10CheckDigit('00000011')).toBe(6); // 9 + 7 = 16 ≡ 5 → 6
    expect(s10CheckDigit('11000000')).toBe(8); // 8 + 6 = 14 ≡ 3 → 8
    expect(s10CheckDigit('00000024')).toBe(9); // 2·9 + 4·7 = 46 ≡ 2 → 9
    expect(s10CheckDigit('00000000')).toBe(5); // 0 → 11 → 5
    expect(s10CheckDigit('00000405')).toBe(5); // 4·5 + 5·7 = 55 ≡ 0 → 11 → 5
  });

  it('maps 11 − (sum mod 11) = 10 to 0 (sum ≡ 1)', () => {
    // 2 at weight 6: 12 ≡ 1 → 10 → 0
    expect(s10CheckDigit('02000000')).toBe(0);
    expect(makeTrackingNumber('RR', 2_000_000, 'US')).toBe('RR020000000US');
  });
});

describe('isValidTrackingNumber rejects malformed numbers', () => {
  it.each([
    ['', 'empty'],
    ['RA47312482GB', 'too short'],
    ['RA4731248290GB', 'too long'],
    ['ra473124829gb', 'lower case'],
    ['R1473124829GB', 'digit in the service indicator'],
    ['RA47312A829GB', 'letter in the serial'],
    ['RA473124828GB', 'wrong check digit'],
    ['RA473124829XX', 'not an ISO 3166 country'],
    ['RA473124829G1', 'digit in the country'],
    ['RA 473124829GB', 'space'],
    [' RA473124829GB', 'leading space'],
    ['RA-47312482-9GB', 'separators'],
  ])('%j (%s)', (value) => {
    expect(isValidTrackingNumber(value)).toBe(false);
  });

  it('refuses to make numbers from out-of-range serials, bad indicators or countries', () => {
    expect(() => makeTrackingNumber('RA', -1, 'GB')).toThrow(RangeError);
    expect(() => makeTrackingNumber('RA', MAX_SERIAL + 1, 'GB')).toThrow(RangeError);
    expect(() => makeTrackingNumber('RA', 1.5, 'GB')).toThrow(RangeError);
    expect(() => makeTrackingNumber('R', 1, 'GB')).toThrow(RangeError);
    expect(() => makeTrackingNumber('ra', 1, 'GB')).toThrow(RangeError);
    expect(() => makeTrackingNumber('RA', 1, 'UK')).toThrow(RangeError); // UK is not the ISO code for GB
  });

  it('parses the parts', () => {
    expect(parseTrackingNumber('RA473124829GB')).toEqual({ serviceIndicator: 'RA', serial: 47312482, checkDigit: 9, country: 'GB' });
  });
});

describe('S10 properties over many serials', () => {
  const indicator = fc.tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ')).map(([a, b]) => a + b);
  const serial = fc.integer({ min: 0, max: MAX_SERIAL });
  const country = fc.constantFrom('US', 'GB', 'DE', 'FR', 'JP', 'CH', 'NZ');

  it('round-trips: every made number is valid and parses back to its parts', () => {
    fc.assert(
      fc.property(indicator, serial, country, (si, n, c) => {
        const tn = makeTrackingNumber(si, n, c);
        expect(tn).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/);
        expect(parseTrackingNumber(tn)).toMatchObject({ serviceIndicator: si, serial: n, country: c });
      }),
      { numRuns: 5000 },
    );
  });

  const weighted = (digits: string) => [8, 6, 4, 2, 3, 5, 9, 7].reduce((sum, w, i) => sum + w * Number(digits[i]), 0) % 11;
  const changeDigit = (tn: string, position: number, delta: number) =>
    tn.slice(0, position) + String((Number(tn[position]) + delta) % 10) + tn.slice(position + 1);

  it('detects every single-digit change of the check digit', () => {
    fc.assert(
      fc.property(serial, fc.integer({ min: 1, max: 9 }), (n, delta) => {
        expect(isValidTrackingNumber(changeDigit(makeTrackingNumber('RA', n, 'GB'), 10, delta))).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  /**
   * S10's mapping sends both residue 0 (11 → 5) and residue 6 (11 − 6 = 5) to check digit 5, so a serial
   * change that moves the weighted sum between those two residues keeps the number valid. Every other
   * single-digit change is caught (all weights are coprime with 11). The property states exactly that.
   */
  it('detects every single-digit serial change except the 0↔6 residue collision of check digit 5', () => {
    let undetected = 0;
    fc.assert(
      fc.property(serial, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 }), (n, position, delta) => {
        const tn = makeTrackingNumber('RA', n, 'GB');
        const changed = changeDigit(tn, position, delta);
        const residues = [weighted(tn.slice(2, 10)), weighted(changed.slice(2, 10))].sort();
        const collision = tn[10] === '5' && residues[0] === 0 && residues[1] === 6;
        expect(isValidTrackingNumber(changed)).toBe(collision);
        if (collision) undetected++;
      }),
      { numRuns: 10000 },
    );
    // The blind spot is narrow: about 2/11 · 1/10 ≈ 1.8% of random single-digit changes.
    expect(undetected / 10000).toBeLessThan(0.025);
  });

  it('documents the collision with a concrete pair', () => {
    // 00000000 sums to 0 → 5; 00000040 sums to 4·9 = 36 ≡ 3 → 8 (caught); 00000004 sums to 28 ≡ 6 → 5 (not caught).
    expect(isValidTrackingNumber('RA000000005GB')).toBe(true);
    expect(isValidTrackingNumber('RA000000405GB')).toBe(false);
    expect(isValidTrackingNumber('RA000000045GB')).toBe(true);
  });
});

describe('tracking events', () => {
  const start: TrackingState = {
    status: 'LABEL_CREATED',
    events: [{ at: '2026-01-01T10:00:00.000Z', status: 'LABEL_CREATED', description: 'Shipping label created' }],
    eventKeys: ['LABEL_CREATED'],
  };

  it('treats a repeated milestone as the same event (a retried ship step)', () => {
    const shipped = { at: '2026-01-01T11:00:00.000Z', status: 'SHIPPED' as const, description: 'Shipped' };
    const once = applyTrackingEvent(start, shipped, trackingEventKey(shipped))!;
    expect(once.status).toBe('SHIPPED');
    const retry = { ...shipped, at: '2026-01-01T11:00:05.000Z' };
    expect(applyTrackingEvent(once, retry, trackingEventKey(retry))).toBeUndefined();
  });

  it('keeps events in time order and DELIVERED final even when a scan arrives late', () => {
    const delivered = { at: '2026-01-03T10:00:00.000Z', status: 'DELIVERED' as const, description: 'Delivered' };
    const late = { at: '2026-01-02T10:00:00.000Z', status: 'IN_TRANSIT' as const, description: 'In transit' };
    const s1 = applyTrackingEvent(start, delivered, trackingEventKey(delivered, 'e1'))!;
    const s2 = applyTrackingEvent(s1, late, trackingEventKey(late, 'e2'))!;
    expect(s2.status).toBe('DELIVERED');
    expect(s2.events.map((e) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED']);
    expect(applyTrackingEvent(s2, late, trackingEventKey(late, 'e2'))).toBeUndefined();
  });
});
