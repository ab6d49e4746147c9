import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook signatures, Stripe's scheme: `Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * While a rotated-out secret is still in its grace period, the header carries one `v1=` per valid secret
 * (newest first), so a receiver that still has the old secret keeps verifying. docs/webhooks.md has the
 * receiver's side.
 */
export const SIGNATURE_HEADER = 'Webhook-Signature';
export const ID_HEADER = 'Webhook-Id';

/** `whsec_` + 32 random bytes, base64url: shown once at creation and at rotation, never again. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export function signatureHeader(secrets: readonly string[], body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, body)}`)].join(',');
}

export interface StoredSecret {
  secret: string;
  createdAt: string;
  /** Set when rotated out: valid until then (the grace period). */
  expiresAt?: string;
}

/** The secrets to sign with now: the current one and any rotated-out one still in its grace period. */
export function signingSecrets(secrets: readonly StoredSecret[], now = new Date()): string[] {
  return secrets.filter((s) => !s.expiresAt || new Date(s.expiresAt) > now).map((s) => s.secret);
}
