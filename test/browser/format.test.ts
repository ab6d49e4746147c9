/**
 * The dashboard's money handling (dashboard/src/format.ts): admins type decimals, the API takes integer
 * minor units. Pure functions, so no browser needed; kept next to the browser test that relies on them.
 */
import { formatMoney, fractionDigits, minorToDecimal, minorToInput, moneyInText, parseDecimalToMinor, readableActor } from '../../dashboard/src/format';

describe('parseDecimalToMinor', () => {
  it.each([
    ['12', 'USD', 1200],
    ['12.5', 'USD', 1250],
    ['12.50', 'USD', 1250],
    ['0.29', 'USD', 29], // 0.29 * 100 is 28.999… in floating point
    ['1.10', 'USD', 110],
    ['1,234.56', 'USD', 123456],
    [' 7 ', 'EUR', 700],
    ['1500', 'JPY', 1500], // no minor units
    ['1.234', 'KWD', 1234], // three
  ])('%s %s → %d', (input, currency, minor) => {
    expect(parseDecimalToMinor(input, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['', 'USD', 'Enter an amount.'],
    ['12.345', 'USD', 'Use at most 2 decimals.'],
    ['12.5', 'JPY', 'JPY has no minor units; enter a whole number.'],
    ['-5', 'USD', 'Enter a positive number such as 12.50.'],
    ['1e3', 'USD', 'Enter a positive number such as 12.50.'],
    ['12.3.4', 'USD', 'Enter a positive number such as 12.50.'],
    ['abc', 'USD', 'Enter a positive number such as 12.50.'],
    ['999999999999999999', 'USD', 'That amount is too large.'],
  ])('refuses %p in %s', (input, currency, message) => {
    expect(parseDecimalToMinor(input, currency)).toEqual({ ok: false, message });
  });

  it('round-trips every cent amount up to 100.00 exactly', () => {
    for (let minor = 0; minor <= 10_000; minor++) {
      expect(parseDecimalToMinor(minorToDecimal(minor, 2), 'USD')).toEqual({ ok: true, minor });
    }
  });
});

describe('minor units to text', () => {
  it('knows each currency’s minor digits from Intl', () => {
    expect(fractionDigits('USD')).toBe(2);
    expect(fractionDigits('JPY')).toBe(0);
    expect(fractionDigits('KWD')).toBe(3);
  });

  it('writes exact decimals for inputs', () => {
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(123456, 2)).toBe('1234.56');
    expect(minorToDecimal(-250, 2)).toBe('-2.50');
    expect(minorToInput({ amount: 1500, currency: 'JPY' })).toBe('1500');
  });

  it('formats money for people with Intl', () => {
    expect(formatMoney({ amount: 3100, currency: 'USD' })).toMatch(/^\$31\.00$/);
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).toMatch(/1,500/);
    expect(formatMoney({ amount: 29, currency: 'EUR' })).toMatch(/0\.29/);
    expect(formatMoney(undefined)).toBe('—');
  });
});

describe('readable actors and money in server texts', () => {
  it.each([
    ['admin:ops@example.com', 'ops@example.com'],
    ['admin:91479d18-0d8c-4c3e-9a43-2c1b5a0e7f10', 'admin'], // recorded before actors carried the email
    ['91479d18-0d8c-4c3e-9a43-2c1b5a0e7f10', 'admin'],
    ['customer:8a2018e7-1111-4222-8333-944455556666', 'customer'],
    ['step:reserve-stock', 'step: reserve stock'],
    ['workflow:authorize', 'step: authorize'],
    ['carrier', 'carrier'],
    ['reconciler', 'reconciler'],
  ])('%s → %s', (actor, shown) => {
    expect(readableActor(actor)).toBe(shown);
    expect(readableActor(actor)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
  });

  it('payment history texts show money, not minor units', () => {
    expect(moneyInText('refund 1: 5900 USD (succeeded)', 'USD')).toBe('refund 1: $59.00 (succeeded)');
    expect(moneyInText('amount refunded now 5900', 'USD')).toBe('refunded so far $59.00');
    expect(moneyInText('refund 2: 1500 JPY (pending)', 'JPY')).toBe('refund 2: ¥1,500 (pending)');
  });
});
