import { WebhookRejected } from '../../../functions/fulfillment/carrier';
import { selfShipCarrier } from '../../../functions/fulfillment/self-ship-carrier';
import { signatureHeader, signPayload, verifySignature } from '../../../functions/fulfillment/webhook-signature';

const secret = 'whsec_test_carrier';
const now = new Date('2026-05-01T12:00:00.000Z');
const t = Math.floor(now.getTime() / 1000);
const body = JSON.stringify({ eventId: 'evt_1', trackingNumber: 'RA473124829GB', status: 'IN_TRANSIT', occurredAt: '2026-05-01T11:00:00+02:00' });

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookRejected) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('carrier webhook signature', () => {
  it('is HMAC-SHA256(secret, "<t>.<raw body>") in hex (known answer from openssl dgst -sha256 -hmac)', () => {
    expect(t).toBe(1777636800);
    expect(signPayload(secret, t, body)).toBe('b4bf85aa0ae90d5104b8d49af030e4bb25464b885a415e3086065ed9f17676e0');
    expect(signatureHeader(secret, body, now)).toBe(`t=1777636800,v1=b4bf85aa0ae90d5104b8d49af030e4bb25464b885a415e3086065ed9f17676e0`);
  });

  it('accepts a fresh valid signature, also among several v1 values (secret rotation)', () => {
    expect(reason(() => verifySignature(signatureHeader(secret, body, now), body, secret, now))).toBe('accepted');
    const rotated = `t=${t},v1=${signPayload('old-secret', t, body)},v1=${signPayload(secret, t, body)}`;
    expect(reason(() => verifySignature(rotated, body, secret, now))).toBe('accepted');
  });

  it.each([
    ['missing header', undefined, 'missing-signature'],
    ['garbage', 'nonsense', 'bad-signature'],
    ['no v1', `t=${t}`, 'bad-signature'],
    ['no t', `v1=${'a'.repeat(64)}`, 'bad-signature'],
    ['short hex', `t=${t},v1=abcd`, 'bad-signature'],
    ['wrong secret', `t=${t},v1=${signPayload('other', t, body)}`, 'bad-signature'],
    ['signed another timestamp', `t=${t + 1},v1=${signPayload(secret, t, body)}`, 'bad-signature'],
    ['signed another body', `t=${t},v1=${signPayload(secret, t, body + ' ')}`, 'bad-signature'],
  ])('rejects %s', (_, header, expected) => {
    expect(reason(() => verifySignature(header, body, secret, now))).toBe(expected);
  });

  it('enforces the 5-minute window in both directions', () => {
    const at = (offsetSeconds: number) => signatureHeader(secret, body, new Date(now.getTime() + offsetSeconds * 1000));
    expect(reason(() => verifySignature(at(-300), body, secret, now))).toBe('accepted');
    expect(reason(() => verifySignature(at(300), body, secret, now))).toBe('accepted');
    expect(reason(() => verifySignature(at(-301), body, secret, now))).toBe('stale-timestamp');
    expect(reason(() => verifySignature(at(301), body, secret, now))).toBe('stale-timestamp');
  });
});

describe('self-ship webhook normalisation', () => {
  const carrier = selfShipCarrier({ nextSerial: async () => 1, now: () => now });
  const parse = (raw: string, header = signatureHeader(secret, raw, now)) =>
    carrier.parseWebhook({ headers: { 'x-carrier-signature': header }, rawBody: raw }, secret, now);

  it('normalises the time to UTC ISO and fills a default description', () => {
    expect(parse(body)).toEqual({
      eventId: 'evt_1',
      trackingNumber: 'RA473124829GB',
      status: 'IN_TRANSIT',
      occurredAt: '2026-05-01T09:00:00.000Z',
      description: 'In transit',
    });
  });

  it.each([
    ['not JSON', '{"eventId":'],
    ['unknown field', JSON.stringify({ ...JSON.parse(body), extra: 1 })],
    ['unknown status', JSON.stringify({ ...JSON.parse(body), status: 'LOST' })],
    ['bad time', JSON.stringify({ ...JSON.parse(body), occurredAt: 'yesterday' })],
    ['malformed tracking number', JSON.stringify({ ...JSON.parse(body), trackingNumber: 'RA473124828GB' })],
    ['missing event id', JSON.stringify({ ...JSON.parse(body), eventId: undefined })],
    ['array body', '[]'],
  ])('rejects %s as malformed (after a valid signature)', (_, raw) => {
    expect(reason(() => parse(raw))).toBe('malformed-body');
  });

  it('checks the signature before looking at the body', () => {
    expect(reason(() => parse('{"eventId":', 'bad'))).toBe('bad-signature');
  });
});
