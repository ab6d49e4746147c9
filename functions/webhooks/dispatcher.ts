import { countMetric, logger } from '../commons/powertools';
import { orderStore } from '../adapters/order-store';
import { deliveryStore, eventStore, type Delivery, type StoredEvent } from '../adapters/event-store';
import { subscriptionStore, type Subscription } from '../adapters/webhook-store';
import { postWebhook, type SendResult } from '../adapters/webhook-sender';
import { contactData, type IntegrationEvent } from './events';
import { givesUp, retryDelayMs, retrySchedule } from './schedule';
import { ID_HEADER, SIGNATURE_HEADER, signatureHeader, signingSecrets } from './signature';

/**
 * The webhook dispatcher: attempts every due delivery once per sweep. Run by a schedule on AWS (every
 * minute, sweeping for most of it: functions/webhooks/handler.ts) and locally (local/stack.ts, every
 * second), the same code on both sides. Per (subscription, order) it keeps `sequence` order: a delivery
 * whose earlier event is still pending waits for it (re-queued at the earlier one's next attempt), and a
 * 2xx wakes the next one at once. Each attempt holds a lease on the delivery; a dispatcher that dies
 * mid-attempt loses nothing (the lease expires, the next sweep tries again).
 *
 * The one window left: a 2xx received and the process dying before the log write. That event is delivered
 * again (same Webhook-Id, so receivers drop it); once the 2xx is logged it is never sent again unless replayed.
 */
export const transport = { post: postWebhook };

/** How much longer than the attempt's timeout a lease lasts (WEBHOOK_LEASE_MARGIN_MS, 5 s). */
const leaseMarginMs = () => Number(process.env.WEBHOOK_LEASE_MARGIN_MS ?? '5000');

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'waiting' | 'cancelled' | 'busy';
export interface SweepReport {
  due: number;
  outcomes: Partial<Record<AttemptOutcome, number>>;
}

/** The body a subscription receives: the event, plus contact details for the `contact` scope. */
export async function deliveryBody(event: StoredEvent, subscription: Pick<Subscription, 'scope'>): Promise<string> {
  const body: IntegrationEvent = { id: event.id, type: event.type, createdAt: event.createdAt, ...(event.orderId ? { orderId: event.orderId } : {}), sequence: event.sequence, data: event.data };
  if (subscription.scope === 'contact' && event.orderId) {
    const order = await orderStore.get(event.orderId);
    if (order) body.data = { ...body.data, ...contactData(order) };
  }
  return JSON.stringify(body);
}

async function attempt(key: { pk: string; sk: string }, subscriptions: Map<string, Promise<Subscription | undefined>>): Promise<AttemptOutcome> {
  const schedule = retrySchedule();
  const claimed = await deliveryStore.claim(key, Date.now(), schedule.timeoutMs + leaseMarginMs());
  if (!claimed) return 'busy';
  const { delivery, token } = claimed;
  if (!subscriptions.has(delivery.subscriptionId)) subscriptions.set(delivery.subscriptionId, subscriptionStore.get(delivery.subscriptionId));
  const subscription = await subscriptions.get(delivery.subscriptionId);
  if (!subscription || !subscription.active) {
    await deliveryStore.reschedule(key, token, new Date().toISOString(), 'cancelled');
    return 'cancelled';
  }
  if (delivery.kind === 'delivery') {
    const earlier = await deliveryStore.pendingBefore(delivery.subscriptionId, delivery.stream, delivery.sequence);
    if (earlier) {
      // Waits for the earlier event: due again when that one is retried (a 2xx of it wakes this at once).
      const at = new Date(Math.max(Date.now() + 1000, new Date(earlier.nextAttemptAt ?? 0).getTime() + 1)).toISOString();
      await deliveryStore.reschedule(key, token, at);
      return 'waiting';
    }
  }
  const event = await eventStore.get(delivery.stream, delivery.sequence);
  if (!event) throw new Error(`Event ${delivery.eventId} of delivery ${key.sk} is missing`);
  const body = await deliveryBody(event, subscription);
  const at = new Date().toISOString();
  const result: SendResult = await transport.post(subscription.url, body, {
    [SIGNATURE_HEADER]: signatureHeader(signingSecrets(subscription.secrets), body),
    [ID_HEADER]: event.id,
  }, schedule.timeoutMs);
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300 && !result.error;
  const firstAttemptAt = delivery.firstAttemptAt ?? at;
  const logged = { at, latencyMs: result.latencyMs, ...(result.status !== undefined ? { status: result.status } : {}), ...(result.error ? { error: result.error } : {}) };
  if (ok) {
    await deliveryStore.recordAttempt(key, token, logged, { state: 'delivered' }, firstAttemptAt);
    countMetric('WebhookDeliveries', { outcome: 'delivered' });
    if (subscription.health === 'failing' && (await subscriptionStore.setHealth(subscription.id, 'ok'))) subscriptions.delete(subscription.id);
    if (delivery.kind === 'delivery') await wakeNext(delivery);
    return 'delivered';
  }
  if (givesUp(firstAttemptAt, Date.now(), schedule)) {
    await deliveryStore.recordAttempt(key, token, logged, { state: 'failed' }, firstAttemptAt);
    countMetric('WebhookDeliveriesAbandoned');
    logger.error('Webhook delivery gave up after its retry window', { subscriptionId: subscription.id, eventId: event.id, attempts: delivery.attemptCount + 1 });
    if (await subscriptionStore.setHealth(subscription.id, 'failing')) subscriptions.delete(subscription.id);
    if (delivery.kind === 'delivery') await wakeNext(delivery);
    return 'failed';
  }
  const next = new Date(Date.now() + retryDelayMs(delivery.attemptCount + 1, schedule)).toISOString();
  await deliveryStore.recordAttempt(key, token, logged, { state: 'pending', nextAttemptAt: next }, firstAttemptAt);
  countMetric('WebhookDeliveries', { outcome: 'retrying' });
  return 'retrying';
}

/** The next event of the same order for the same subscription may go now. */
async function wakeNext(delivery: Delivery): Promise<void> {
  const next = await deliveryStore.pendingAfter(delivery.subscriptionId, delivery.stream, delivery.sequence);
  if (next && next.attemptCount === 0 && !next.leaseToken) await deliveryStore.reschedule({ pk: next.pk, sk: next.sk }, undefined, new Date().toISOString());
}

/** Groups due deliveries by (subscription, stream): within a group in sequence order, groups in parallel. */
export async function sweep(options: { limit?: number; concurrency?: number; deadline?: number } = {}): Promise<SweepReport> {
  // No attempt starts that could still be running at the deadline (the Lambda's end): it would be cut off.
  const latestStart = (options.deadline ?? Infinity) - retrySchedule().timeoutMs - 1000;
  const due = await deliveryStore.due(new Date().toISOString(), options.limit ?? 200);
  const groups = new Map<string, { pk: string; sk: string }[]>();
  for (const key of due) {
    const group = key.sk.replace(/#\d+$/, '');
    groups.set(`${key.pk}|${group}`, [...(groups.get(`${key.pk}|${group}`) ?? []), key]);
  }
  const report: SweepReport = { due: due.length, outcomes: {} };
  const subscriptions = new Map<string, Promise<Subscription | undefined>>();
  const queue = [...groups.values()].map((keys) => keys.sort((a, b) => a.sk.localeCompare(b.sk)));
  const worker = async () => {
    for (let keys = queue.shift(); keys; keys = queue.shift()) {
      if (Date.now() > latestStart) return;
      for (const key of keys) {
        if (Date.now() > latestStart) return;
        let outcome: AttemptOutcome;
        try {
          outcome = await attempt(key, subscriptions);
        } catch (error) {
          // A fault (the table, a missing event): the lease expires and a later sweep tries again.
          logger.warn('Webhook attempt failed; it will be retried', { error: (error as Error).name, detail: (error as Error).message });
          break;
        }
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        // A later event of the group waits while an earlier one is pending.
        if (outcome !== 'delivered' && outcome !== 'cancelled' && !key.sk.startsWith('REPLAY#')) break;
      }
    }
  };
  const concurrency = options.concurrency ?? Number(process.env.WEBHOOK_CONCURRENCY ?? '8');
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return report;
}
