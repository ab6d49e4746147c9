import type Stripe from 'stripe';
import { getSecret } from '../commons/secrets';
import * as z from '../domain/zod';
import { api, json, zodErrors } from '../commons/http';
import { config } from '../commons/config';
import { logger } from '../commons/powertools';
import { ProblemError } from '../commons/problem';
import { applyStripeEvent, MalformedEvent } from '../payments/stripe-events';
import { stripeSdk } from '../adapters/payments/stripe-sdk';

/**
 * POST /webhooks/stripe: public at the gateway, verified here with Stripe's SDK against the raw body.
 * Missing, invalid or stale signatures (older than 5 minutes) are 400 and change nothing.
 */
const TOLERANCE_SECONDS = 300;

// Only webhooks.* is used, which needs no API key. Built on the first signed request (the SDK loads then).
let stripe: Stripe | undefined;
const verifier = () => (stripe ??= new (stripeSdk())('sk_webhook_verification_only'));

async function webhookSecret(): Promise<string | undefined> {
  const local = config.stripeWebhookSecret();
  if (local) return local;
  const arn = config.stripeWebhookSecretArn();
  if (!arn) return undefined;
  const value = await getSecret(arn, { maxAge: 300 });
  return typeof value === 'string' && value ? value.trim() : undefined;
}

const stripeEventShape = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  data: z.looseObject({ object: z.looseObject({ id: z.optional(z.string()) }) }),
});

const invalidSignature = (detail: string) => new ProblemError(400, 'invalid-signature', detail);

export const handler = api({ auth: 'public', parsesOwnBody: true }, async ({ event, headers }) => {
  const signature = headers['stripe-signature'];
  if (!signature) throw invalidSignature('The Stripe-Signature header is missing.');
  if (!event.body) throw invalidSignature('The request has no body to verify.');
  const secret = await webhookSecret();
  if (!secret) {
    logger.error('Stripe webhook received but no webhook signing secret is configured');
    throw invalidSignature('The signature cannot be verified.');
  }
  const payload = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;

  let stripeEvent: Stripe.Event;
  try {
    stripeEvent = verifier().webhooks.constructEvent(payload, signature, secret, TOLERANCE_SECONDS);
  } catch (error) {
    logger.warn('Rejected a Stripe webhook', { reason: (error as Error).message });
    throw invalidSignature('The Stripe-Signature header does not match the body, or the event is too old.');
  }

  // Signed is not the same as well-formed: an event without an id, a type or a data object is refused (400),
  // never a 500 that Stripe would retry for days.
  const shape = stripeEventShape.safeParse(stripeEvent);
  if (!shape.success) {
    throw new ProblemError(400, 'malformed-event', 'The event is signed but is not a Stripe event (id, type and data.object are required).', zodErrors(shape.error));
  }
  let result;
  try {
    result = await applyStripeEvent(stripeEvent);
  } catch (error) {
    if (error instanceof MalformedEvent) throw new ProblemError(400, 'malformed-event', error.message);
    throw error;
  }
  logger.info('Stripe webhook processed', { eventId: stripeEvent.id, type: stripeEvent.type, result });
  return json(200, { received: true, result });
});
