import { countMetric, logger, metrics } from '../commons/powertools';
import { config } from '../commons/config';
import { keys } from '../adapters/keys';
import { once } from '../adapters/effect-claims';
import { orderStore } from '../adapters/order-store';
import { sendEmail } from '../adapters/mailer';
import { startOrderWorkflow } from '../adapters/workflow';
import { composeEmail, type EmailExtra, type EmailKind } from '../notifications/emails';
import { recordMovementsForChange } from '../inventory/ledger';
import { recordTrackingEvent } from '../fulfillment/tracking-events';
import { checkLowStock, publishStoredAlert } from '../inventory/low-stock';
import { noteOnce } from '../orders/service';
import { recordEvent } from '../webhooks/service';
import { putOnBus } from '../adapters/event-bus';
import type { Effect } from './effects';
import { runSandboxLater } from '../payments/sandbox-later';

/**
 * Carries out one outbox effect, idempotently: the workflow start by its execution name (Step Functions
 * refuses a second execution of one name), emails and alerts by claim-then-mark. The reconciler calls the
 * same functions to repair an effect that never happened.
 */
export async function runEffect(effect: Effect): Promise<'done' | 'skipped'> {
  switch (effect.kind) {
    case 'start-workflow': {
      // A replayed INSERT of an order that has moved on starts nothing (its run, or the reconciler, has it).
      const order = await orderStore.get(effect.orderId);
      if (order?.status !== 'PENDING') return 'skipped';
      return (await startOrderWorkflow({ orderId: effect.orderId, holdSeconds: config.orderHoldSeconds() })) ? 'done' : 'skipped';
    }
    case 'email':
      return sendOrderEmail(effect.orderId, effect.email, effect.event, effect.extra);
    case 'record-movements':
      return (await recordMovementsForChange(effect.before, effect.after)).length ? 'done' : 'skipped';
    case 'publish-alert':
      return publishStoredAlert(effect.alertId);
    case 'check-low-stock':
      return (await checkLowStock([effect.sku])).length ? 'done' : 'skipped';
    case 'tracking-shipped':
      // The ship step records it too, right after its commit; a crash in between is repaired here.
      return (await recordTrackingEvent(effect.trackingNumber, { at: effect.at, status: 'SHIPPED', description: 'Handed to the carrier' })).duplicate ? 'skipped' : 'done';
    case 'sandbox-later':
      return runSandboxLater(effect);
    case 'count':
      countMetric(effect.metric, effect.dimensions);
      return 'done';
    case 'timeline-note':
      return noteOnce(effect.orderId, effect.event, { actor: effect.actor, reason: effect.reason });
    case 'integration-event':
      return recordEvent(effect.event);
    case 'event-bus':
      // At least once, like EventBridge's own delivery to targets: a retried record puts the same event
      // (same id) again, and rules' targets de-duplicate by id. No claim, so no table call at all.
      await putOnBus(effect.event);
      return 'done';
    case 'needs-attention':
      // The ops alarm on CompensationFailures pages someone; the order shows the reason in the dashboard.
      metrics.addMetric('CompensationFailures', 'Count', 1);
      logger.error('Order needs attention', { orderId: effect.orderId, reason: effect.reason });
      return 'done';
  }
}

/** One email per (order, event), composed from the order as it is now; the event defaults to the kind. */
export async function sendOrderEmail(orderId: string, kind: EmailKind, event: string = kind, extra?: EmailExtra): Promise<'done' | 'skipped'> {
  const marker = keys.notification(orderId, event);
  return once(
    marker,
    async () => {
      const order = await orderStore.get(orderId);
      if (!order) return undefined;
      return sendEmail(composeEmail(kind, order, extra), `${orderId}-${event}`);
    },
    { claim: { entity: 'NOTIFICATION', kind, orderId }, done: () => ({ sentAt: new Date().toISOString() }) },
  );
}
