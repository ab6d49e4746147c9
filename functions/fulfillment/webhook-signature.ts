import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejected } from './carrier';

/**
 * Carrier webhook signatures, Stripe-style (docs/carriers.md):
 *   X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * Several v1 values may be sent while a secret is rotated; any match is enough. The timestamp is signed,
 * so a captured request cannot be replayed outside the window by editing it.
 */
export const SIGNATURE_HEADER = 'x-carrier-signature';
export const REPLAY_WINDOW_SECONDS = 5 * 60;

export function signPayload(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/** Builds the header value a sender would send (used by tests, the local simulator and docs). */
export function signatureHeader(secret: string, rawBody: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${signPayload(secret, t, rawBody)}`;
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (rest.length || value === undefined) return undefined;
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      signatures.push(value.toLowerCase());
    }
    // Unknown schemes (v0, v2…) are ignored, as Stripe does, so a sender can add newer ones.
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** Throws WebhookRejected unless the header carries a valid, fresh signature of exactly this body. */
export function verifySignature(header: string | undefined, rawBody: string, secret: string, now: Date = new Date()): void {
  if (!header) throw new WebhookRejected('missing-signature', `The ${SIGNATURE_HEADER} header is required.`);
  const parsed = parseHeader(header);
  if (!parsed) throw new WebhookRejected('bad-signature', `The ${SIGNATURE_HEADER} header is malformed; expected t=<unix>,v1=<hex>.`);
  const expected = Buffer.from(signPayload(secret, parsed.timestamp, rawBody), 'hex');
  // Every candidate is compared (no early exit) in constant time for equal-length digests.
  let match = false;
  for (const candidate of parsed.signatures) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) match = true;
  }
  if (!match) throw new WebhookRejected('bad-signature', 'The webhook signature does not match the body.');
  // Checked after the HMAC so an unauthenticated caller learns nothing about the clock.
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - parsed.timestamp);
  if (skew > REPLAY_WINDOW_SECONDS) {
    throw new WebhookRejected('stale-timestamp', `The signature timestamp is outside the ${REPLAY_WINDOW_SECONDS / 60}-minute window.`);
  }
}
