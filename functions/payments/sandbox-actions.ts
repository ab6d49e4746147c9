import type Stripe from 'stripe';
import { formatMoney } from '../domain/money';
import { PaymentStateError } from './gateway';
import { SandboxGateway, type SandboxIntent } from '../adapters/payments/sandbox-gateway';
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

export async function sandboxIntent(intentId: string): Promise<SandboxIntent | undefined> {
  if (!/^pi_sbx_[0-9a-f]{24}$/.test(intentId)) return undefined;
  return sandbox.get(intentId);
}

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

export function sandboxEvent(id: string, type: string, object: unknown): Stripe.Event {
  return { id, object: 'event', type, created: Math.floor(Date.now() / 1000), livemode: false, data: { object } } as unknown as Stripe.Event;
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

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page: amount and card, two buttons (a plain form POST to the same URL), no script, no personal data. */
export function actionPageHtml(intent: SandboxIntent, notice?: string): string {
  const amount = formatMoney({ amount: intent.amount, currency: intent.currency.toUpperCase() });
  const card = intent.card ? `${intent.card.brand} •••• ${intent.card.last4}` : 'your card';
  const waiting = intent.status === 'requires_action';
  const state = waiting
    ? ''
    : intent.status === 'requires_capture' || intent.status === 'succeeded'
      ? '<p id="result">Payment confirmed. You can close this page.</p>'
      : '<p id="result">This payment was not confirmed. Nothing was charged.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Confirm your payment (sandbox 3-D Secure)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}</style>
</head><body>
<h1>Confirm your payment</h1>
<p>Sandbox 3-D Secure check: ${escapeHtml(amount)} with ${escapeHtml(card)}.</p>
${notice ? `<p>${escapeHtml(notice)}</p>` : ''}${state}
${waiting ? `<form method="post"><button name="outcome" value="approve" type="submit">Approve</button><button name="outcome" value="decline" type="submit">Refuse</button></form>` : ''}
</body></html>`;
}
