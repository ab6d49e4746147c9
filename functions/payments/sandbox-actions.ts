import type Stripe from 'stripe';
import { PaymentStateError } from './gateway';
import { SandboxGateway, type SandboxIntent } from '../adapters/payments/sandbox-gateway';
export { actionPageHtml, sandboxIntent } from './sandbox-action-page';
import { sandboxEvent } from './sandbox-event';
import { applyStripeEvent } from './stripe-events';

/**
 * The sandbox's stand-in for what Stripe does after the storefront hands the customer to 3-D Secure: the
 * customer answers on a page (GET/POST /sandbox/payments/{intentId}), the intent changes state, and the same
 * event Stripe would send (`payment_intent.amount_capturable_updated` or `payment_intent.payment_failed`)
 * is applied through the webhook's own code (applyStripeEvent), exactly once by its deterministic id. Should
 * that event be lost, the workflow's CheckPaymentAction reads the intent itself.
 */
const sandbox = new SandboxGateway();

export type ActionOutcome = 'approve' | 'decline';

/** Stripe-shaped PaymentIntent of a sandbox intent (only the fields stripe-events.ts reads). */
export function stripeIntentOf(intent: SandboxIntent): Stripe.PaymentIntent {
  const failed = intent.lastPaymentError;
  return {
    id: intent.id,
    object: 'payment_intent',
    status: intent.status,
    amount: intent.amount,
    amount_capturable: intent.status === 'requires_capture' ? intent.amount : 0,
    amount_received: intent.amountReceived,
    currency: intent.currency.toLowerCase(),
    metadata: { orderId: intent.orderId },
    last_payment_error: failed
      ? { type: 'card_error', code: failed.declineCode === 'authentication_failed' ? 'payment_intent_authentication_failure' : 'card_declined', decline_code: failed.declineCode, message: failed.message }
      : null,
  } as unknown as Stripe.PaymentIntent;
}


/**
 * Answers the 3-D Secure challenge. The first answer wins; the same answer again is a no-op; a different
 * answer, or any answer once the wait ended (timed out, cancelled), is a PaymentStateError (409).
 */
export async function answerSandboxAction(intentId: string, outcome: ActionOutcome): Promise<SandboxIntent> {
  const intent = await sandbox.completeAction(intentId, outcome);
  const type = outcome === 'approve' ? 'payment_intent.amount_capturable_updated' : 'payment_intent.payment_failed';
  await applyStripeEvent(sandboxEvent(`evt_sbx_${intentId.slice(7)}_3ds_${outcome}`, type, stripeIntentOf(intent)));
  return intent;
}

export { PaymentStateError };
