import type Stripe from 'stripe';
import { logger } from '../commons/powertools';
import { applyObservation, type ProviderObservation } from './payment';
import { DuplicateEvent, PaymentVersionConflict, paymentStore } from '../adapters/payment-store';
import { orderStore } from '../adapters/order-store';
import { voidOrderPayment } from './service';
import { applyRefundOrDisputeEvent, isRefundOrDisputeEvent, type EventResult } from './record-events';

export { MalformedEvent } from './record-events';

/**
 * Applies a verified Stripe event to the payment record, exactly once per event id: the event marker is
 * written in the same transaction as the record change (or alone when nothing changes). Events that would
 * move a payment backwards (late or out of order) change nothing; see STATUS_RANK.
 */

export const HANDLED_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.canceled',
  'payment_intent.payment_failed',
  'payment_intent.amount_capturable_updated',
  'charge.refunded',
  'refund.failed',
  'refund.updated',
  'charge.refund.updated',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;


interface Mapped {
  orderId?: string;
  observation: ProviderObservation;
}

/** The facts an event states, in the payment record's terms. */
export function observationOf(event: Stripe.Event): Mapped | undefined {
  const object = event.data.object as unknown as Record<string, unknown>;
  const metadataOrderId = (object.metadata as Record<string, string> | undefined)?.orderId;
  switch (event.type) {
    case 'payment_intent.amount_capturable_updated':
    case 'payment_intent.succeeded':
    case 'payment_intent.canceled':
    case 'payment_intent.payment_failed': {
      const intent = event.data.object as Stripe.PaymentIntent;
      const observation: ProviderObservation = { intentId: intent.id };
      if (event.type === 'payment_intent.amount_capturable_updated') observation.status = 'authorized';
      if (event.type === 'payment_intent.succeeded') Object.assign(observation, { status: 'captured', amountCaptured: intent.amount_received });
      if (event.type === 'payment_intent.canceled') observation.status = 'voided';
      if (event.type === 'payment_intent.payment_failed') {
        const lastError = intent.last_payment_error;
        // A refused or abandoned 3-D Secure challenge (SPEC.md: declineCode authentication_failed).
        const authentication = lastError?.code === 'payment_intent_authentication_failure';
        Object.assign(observation, { status: 'declined', declineCode: authentication ? 'authentication_failed' : (lastError?.decline_code ?? lastError?.code ?? 'card_declined') });
      }
      return { orderId: metadataOrderId, observation };
    }
    case 'charge.refunded': {
      const charge = event.data.object as Stripe.Charge;
      const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      if (!intentId) return undefined;
      return { orderId: metadataOrderId, observation: { intentId, amountRefunded: charge.amount_refunded, amountCaptured: charge.amount_captured } };
    }
    default:
      return undefined;
  }
}

export async function applyStripeEvent(event: Stripe.Event): Promise<EventResult> {
  const marker = { source: 'stripe', eventId: event.id, type: event.type };
  if (await paymentStore.eventSeen('stripe', event.id)) return 'duplicate';

  if (isRefundOrDisputeEvent(event)) return applyRefundOrDisputeEvent(event);

  const mapped = observationOf(event);
  const orderId = mapped ? (mapped.orderId ?? (await paymentStore.orderIdForIntent(mapped.observation.intentId))) : undefined;
  if (!mapped || !orderId) {
    // Not ours or not a type we act on: acknowledge (Stripe would otherwise retry for days) and remember it.
    return (await paymentStore.markEvent(marker)) === 'duplicate' ? 'duplicate' : 'ignored';
  }

  for (let attempt = 0; attempt < 8; attempt++) {
    const record = await paymentStore.get(orderId);
    const next = record ? applyObservation(record, mapped.observation, `stripe:${event.type}`, new Date().toISOString()) : undefined;
    if (!record || !next) {
      return (await paymentStore.markEvent(marker)) === 'duplicate' ? 'duplicate' : record ? 'unchanged' : 'ignored';
    }
    try {
      await paymentStore.save(next, record.version, { webhookEvent: marker });
      logger.info('Stripe event applied', { eventId: event.id, type: event.type, orderId, status: next.status });
      if ((record.status === 'failed' || record.status === 'action_required') && next.status === 'authorized') await releaseLateAuthorization(orderId);
      return 'applied';
    } catch (error) {
      if (error instanceof DuplicateEvent) return 'duplicate';
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
  throw new Error(`Too much contention applying Stripe event ${event.id}`);
}

/**
 * An authorization that Stripe made although the charge step saw only an error (e.g. a timeout): if the order
 * already ended (FAILED with PAYMENT_ERROR, or CANCELLED), nobody else will release it, so void it now.
 * Best effort: a failure is logged, and Stripe itself releases uncaptured authorizations after 7 days.
 */
async function releaseLateAuthorization(orderId: string): Promise<void> {
  const order = await orderStore.get(orderId);
  if (order?.status !== 'FAILED' && order?.status !== 'CANCELLED') return;
  try {
    await voidOrderPayment(orderId, 'stripe:late-authorization');
  } catch (error) {
    logger.error('Could not void a late authorization of an ended order', { orderId, error: (error as Error).name });
  }
}
