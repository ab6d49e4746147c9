import { logger } from '../commons/powertools';
import { SandboxGateway } from '../adapters/payments/sandbox-gateway';
import { paymentStore } from '../adapters/payment-store';
import { sandboxEvent } from './sandbox-event';
import { applyRefundOrDisputeEvent } from './record-events';

/**
 * What Stripe's misbehaving test cards do "a few seconds later", for the sandbox: run from the outbox when
 * the sandbox intent changes (functions/outbox/effects.ts `sandbox-later`). The effect waits out the rest of
 * SANDBOX_LATER_SECONDS (default 3, at most 5) after the change, then changes the sandbox's own state and
 * applies the event Stripe would send through the webhook's code, by a deterministic event id, so a replay
 * of the stream record applies nothing twice.
 */
const sandbox = new SandboxGateway();
const delayMs = () => Math.min(5, Math.max(0, Number(process.env.SANDBOX_LATER_SECONDS ?? '3'))) * 1000;

export async function runSandboxLater(effect: { intentId: string; what: 'refund-fails' | 'disputed'; idempotencyKey?: string; at: string }): Promise<'done' | 'skipped'> {
  const wait = Date.parse(effect.at) + delayMs() - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5000)));
  const intent = await sandbox.get(effect.intentId);
  if (!intent) return 'skipped';
  const created = Math.floor(Date.now() / 1000);

  if (effect.what === 'refund-fails') {
    if (!effect.idempotencyKey) return 'skipped';
    const refund = await sandbox.failRefund(effect.intentId, effect.idempotencyKey);
    if (!refund) return 'skipped';
    const sequence = /-refund-(\d+)$/.exec(effect.idempotencyKey)?.[1];
    const result = await applyRefundOrDisputeEvent(
      sandboxEvent(`evt_sbx_${refund.refundId.slice(7)}_failed`, 'refund.failed', {
        id: refund.refundId,
        object: 'refund',
        amount: refund.amount,
        currency: intent.currency.toLowerCase(),
        payment_intent: intent.id,
        status: 'failed',
        failure_reason: 'expired_or_canceled_card',
        metadata: { orderId: intent.orderId, ...(sequence ? { sequence } : {}) },
        created,
      }),
    );
    logger.info('Sandbox refund failed later', { orderId: intent.orderId, result });
    return result === 'applied' ? 'done' : 'skipped';
  }

  // The sandbox intent's order must know the intent (it does once the payment record was saved).
  if (!(await paymentStore.orderIdForIntent(intent.id))) return 'skipped';
  const result = await applyRefundOrDisputeEvent(
    sandboxEvent(`evt_sbx_${intent.id.slice(7)}_dispute_created`, 'charge.dispute.created', {
      id: `dp_sbx_${intent.id.slice(7)}`,
      object: 'dispute',
      amount: intent.amountReceived || intent.amount,
      currency: intent.currency.toLowerCase(),
      charge: `ch_sbx_${intent.id.slice(7)}`,
      payment_intent: intent.id,
      reason: 'fraudulent',
      status: 'needs_response',
      created,
      evidence_details: { due_by: created + 7 * 24 * 3600, has_evidence: false, past_due: false, submission_count: 0 },
    }),
  );
  logger.info('Sandbox charge disputed', { orderId: intent.orderId, result });
  return result === 'applied' ? 'done' : 'skipped';
}
