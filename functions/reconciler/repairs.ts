import { countMetric, logger, metrics } from '../commons/powertools';
import { config } from '../commons/config';
import { isTerminal, type Order, type OrderStatus } from '../domain/order';
import { orderStore } from '../adapters/order-store';
import { describeOrderRun, startOrderWorkflow } from '../adapters/workflow';
import { notificationsSent } from '../adapters/notification-store';
import { paymentStore } from '../adapters/payment-store';
import { voidOrderPayment } from '../payments/service';
import { releaseStock } from '../orders/service';
import { ensureMainLocation } from '../adapters/location-store';
import { alertsRaisedBetween, publishStoredAlert, unpublishedAlerts } from '../inventory/low-stock';
import { sendOrderEmail } from '../outbox/run-effect';
import type { EmailKind } from '../notifications/emails';
import { eventStore } from '../adapters/event-store';
import { expectedOrderEvents, expectedRecordEvents, lowStockEvent, type PendingEvent } from '../webhooks/events';
import { recordEvent } from '../webhooks/service';

/**
 * The reconciler: finds drift between what was committed and what should have followed, and repairs it with
 * the same idempotent operations the workflow and the outbox use. On AWS EventBridge Scheduler runs it every
 * 5 minutes; locally npm start runs it at start and every 30 s. Each repair goes into the order's timeline
 * (actor `reconciler`) and the ReconcilerRepairs metric (dimension `kind`).
 */
export type RepairKind = 'event-recorded' | 'workflow-started' | 'workflow-resumed' | 'stock-released' | 'authorization-voided' | 'email-sent' | 'alert-published' | 'needs-attention';

export interface ReconcileReport {
  repairs: Partial<Record<RepairKind, number>>;
  failures: number;
}

const OPEN: OrderStatus[] = ['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED'];
/** After this many runs an order is not restarted again but handed to a person. */
const MAX_RUNS = 5;
/** Emails follow these statuses (and every later one): SHIPPED implies the confirmation was due too. */
const EMAILS_DUE: Partial<Record<OrderStatus, EmailKind[]>> = {
  PAYMENT_ACTION_REQUIRED: ['action-required'],
  PAID: ['confirmation'],
  LABELLED: ['confirmation'],
  SHIPPED: ['confirmation', 'shipped'],
  DELIVERED: ['confirmation', 'shipped', 'delivered'],
  CANCELLED: ['cancelled'],
  FAILED: ['failed'],
};

const staleMs = () => Number(process.env.RECONCILER_STALE_SECONDS ?? '120') * 1000;
/**
 * An order's events are checked once its last change is this old (RECONCILER_EVENT_SECONDS, 15 min): past
 * the stream's own retries (10 on AWS, about 20 s locally), so a record still being retried is not raced;
 * the stale override of a run (0 at local start) does not shorten it.
 */
const eventAfterMs = () => Number(process.env.RECONCILER_EVENT_SECONDS ?? '900') * 1000;
const lookbackMs = () => Number(process.env.RECONCILER_LOOKBACK_HOURS ?? '72') * 3600 * 1000;

export async function reconcile(options: { now?: number; staleSeconds?: number } = {}): Promise<ReconcileReport> {
  const now = options.now ?? Date.now();
  const report: ReconcileReport = { repairs: {}, failures: 0 };
  const count = (kind: RepairKind) => {
    report.repairs[kind] = (report.repairs[kind] ?? 0) + 1;
    // One EMF document per repair, with the [service] total (the alarm's series) and the `kind` breakdown.
    countMetric('ReconcilerRepairs', { kind });
  };
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.failures++;
      logger.warn('Reconciler repair failed; the next run retries it', { what, error: (error as Error).name, detail: (error as Error).message });
    }
  };
  const staleBefore = new Date(now - (options.staleSeconds !== undefined ? options.staleSeconds * 1000 : staleMs())).toISOString();
  const since = new Date(now - lookbackMs()).toISOString();
  const eventsBefore = new Date(Math.min(Date.parse(staleBefore), now - eventAfterMs())).toISOString();
  // Orders this run repaired: their updatedAt is this run's own write, not a path still at work.
  const repaired = new Set<string>();
  const settledSince = (order: Order) => order.updatedAt <= staleBefore || repaired.has(order.id);

  // The locations migration (MAIN stored once; idempotent): run by every reconciler run, on AWS and locally.
  await attempt('locations migration', async () => {
    await ensureMainLocation();
  });

  // One sweep of the recent orders, each repaired by its status. The order index is sharded (ORDERS#n), so a
  // sweep per status cost a query per shard each: 915 queries a run, where this is one query per shard.
  // The events each settled order's changes have caused (functions/webhooks/events.ts expectedOrderEvents),
  // checked after the sweep in one BatchGet per 100 event ids: no query per order. A missing one (its stream
  // record was dead-lettered) is recorded now, by the same id, so a late retry of the record adds nothing.
  const dueEvents: { order: Order; events: PendingEvent[] }[] = [];
  for await (const order of ordersSince(since)) {
    if (order.updatedAt <= eventsBefore) {
      await attempt(`events of ${order.id}`, async () => {
        // Refunds and returns write the order in their own transactions (its payment summary, a timeline
        // entry): only an order that has some costs a query for its payment record and returns.
        const stored = hasRefundsOrReturns(order) ? await eventStore.orderRecords(order.id) : undefined;
        const [placed, ...rest] = expectedOrderEvents(order);
        const later = [...rest, ...(stored ? expectedRecordEvents(stored.payment, stored.returns) : [])];
        // In the order they happened (placed first), so repaired events take their sequences in that order.
        dueEvents.push({ order, events: [placed!, ...later.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))] });
      });
    }
    if (OPEN.includes(order.status) && order.updatedAt <= staleBefore) {
      await attempt(`workflow of ${order.id}`, async () => {
        const kind = await resumeWorkflow(order);
        if (kind) count(kind);
      });
    }
    // A closed order still holding stock: its release failed after every retry (it is flagged needsAttention).
    if ((order.status === 'CANCELLED' || order.status === 'FAILED') && order.stock === 'RESERVED') {
      await attempt(`stock of ${order.id}`, async () => {
        if (!(await releaseStock(order.id))) return;
        await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: 'Released the stock a failed compensation had left reserved' });
        repaired.add(order.id);
        count('stock-released');
        await resolveIfCompensated(order.id);
      });
    }
    const kinds = EMAILS_DUE[order.status];
    if (kinds && order.updatedAt <= staleBefore) {
      await attempt(`emails of ${order.id}`, async () => {
        const sent = await notificationsSent(order.id);
        for (const kind of kinds.filter((k) => !sent.has(k))) {
          if ((await sendOrderEmail(order.id, kind)) === 'done') {
            await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: `Sent the ${kind} email that had not gone out` });
            repaired.add(order.id);
            count('email-sent');
          }
        }
      });
    }
  }

  await attempt('integration events', async () => {
    const known = await eventStore.existing(dueEvents.flatMap((d) => d.events.map((e) => e.id)));
    for (const { order, events } of dueEvents) {
      const missing = events.filter((e) => !known.has(e.id));
      if (!missing.length) continue;
      await attempt(`events of ${order.id}`, async () => {
        // In the order they happened; a failure leaves the rest to the next run (their sequence stays in order).
        const recorded: string[] = [];
        for (const event of missing) {
          if ((await recordEvent(event)) === 'done') {
            recorded.push(event.type);
            count('event-recorded');
          }
        }
        if (recorded.length) {
          await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: `Recorded the ${recorded.join(', ')} event${recorded.length > 1 ? 's' : ''} the outbox had not recorded` });
          repaired.add(order.id);
        }
      });
    }
  });

  // One sweep of the authorized payments for both of their repairs (the payment index is sharded too, so each
  // sweep is a query per shard): a closed order's held authorization is voided; then an unshipped order
  // within 24 h of its captureBefore needs a person (SPEC.md: authorization expiry).
  for await (const payment of paymentsIn('authorized')) {
    await attempt(`authorization of ${payment.orderId}`, async () => {
      const order = await orderStore.get(payment.orderId);
      // The closing path voids at once: leave it the stale period, as every other repair does.
      if (!order || !isTerminal(order.status) || order.status === 'DELIVERED' || !settledSince(order)) return;
      // The status index lags the record: a void that just landed still lists the payment as authorized.
      if ((await paymentStore.get(payment.orderId))?.status !== 'authorized') return;
      try {
        await voidOrderPayment(order.id, 'reconciler');
      } catch (error) {
        if (!order.needsAttention) {
          const reason = `The card authorization of this closed order could not be released (${(error as Error).name})`;
          await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason }, { needsAttention: { reason, since: new Date().toISOString() } });
        }
        throw error;
      }
      await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: 'Released the card authorization still held for a closed order' });
      count('authorization-voided');
      await resolveIfCompensated(order.id);
    });
    if (!payment.captureBefore || Date.parse(payment.captureBefore) - now > AUTHORIZATION_WARNING_MS) continue;
    // A payment voided just above belongs to a closed order, which this repair leaves alone.
    await attempt(`authorization expiry of ${payment.orderId}`, async () => {
      const order = await orderStore.get(payment.orderId);
      if (!order || isTerminal(order.status) || order.status === 'SHIPPED' || order.needsAttention) return;
      const reason = `The card authorization expires at ${payment.captureBefore}: ship (capture) or cancel before then`;
      await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason }, { needsAttention: { kind: 'authorization-expiring', reason, since: new Date(now).toISOString() } });
    });
  }

  // A 3-D Secure wait of an order that ended (cancelled while waiting, its void failed): end it at the provider.
  for await (const payment of paymentsIn('action_required')) {
    await attempt(`3-D Secure wait of ${payment.orderId}`, async () => {
      const order = await orderStore.get(payment.orderId);
      if (!order || !isTerminal(order.status) || !settledSince(order)) return;
      if ((await paymentStore.get(payment.orderId))?.status !== 'action_required') return;
      await voidOrderPayment(order.id, 'reconciler');
      await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: 'Ended the 3-D Secure wait still open for a closed order' });
      count('authorization-voided');
    });
  }


  // inventory.low_stock events of the alerts raised in the look-back, the same way: one query, one BatchGet.
  await attempt('low-stock events', async () => {
    const alerts = since < eventsBefore ? await alertsRaisedBetween(since, eventsBefore) : [];
    if (!alerts.length) return;
    const events = alerts.map(lowStockEvent);
    const known = await eventStore.existing(events.map((e) => e.id));
    for (const event of events.filter((e) => !known.has(e.id))) {
      if ((await recordEvent(event)) === 'done') count('event-recorded');
    }
  });

  for (const alertId of await unpublishedAlerts(staleBefore)) {
    await attempt(`alert ${alertId}`, async () => {
      if ((await publishStoredAlert(alertId)) === 'done') count('alert-published');
    });
  }
  metrics.addMetric('ReconcilerRuns', 'Count', 1);
  if (report.failures) metrics.addMetric('ReconcilerFailures', 'Count', report.failures);
  if (Object.keys(report.repairs).length) logger.info('Reconciler repaired drift', { repairs: report.repairs });
  return report;
}

/**
 * An open order whose run is not RUNNING: a PENDING order whose start the outbox never made gets it now; one
 * whose execution ended or vanished (locally: the process stopped) gets the next run, claimed on the order
 * so two reconcilers cannot both start it. Each step recognises work already done, so the new run carries
 * on from where the order is.
 */
async function resumeWorkflow(order: Order): Promise<RepairKind | undefined> {
  const run = order.workflowRun ?? 1;
  const state = await describeOrderRun(order.id, run);
  if (state === 'RUNNING') return undefined;
  const input = { orderId: order.id, holdSeconds: config.orderHoldSeconds() };
  if (state === 'MISSING') {
    // Never started (a lost outbox start, or a claimed run whose start was lost): start this very run.
    if (!(await startOrderWorkflow(input, run))) return undefined;
    await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: run === 1 && order.status === 'PENDING' ? 'Started the workflow the order was waiting for' : `Resumed the workflow (run ${run})` });
    return run === 1 && order.status === 'PENDING' ? 'workflow-started' : 'workflow-resumed';
  }
  if (run >= MAX_RUNS) {
    if (order.needsAttention) return undefined;
    await orderStore.note(order.id, { status: order.status, actor: 'reconciler', reason: `Workflow ended ${state} ${run} times; needs a person` }, { needsAttention: { reason: `Workflow ended ${state} ${run} times with the order still ${order.status}`, since: new Date().toISOString() } });
    return 'needs-attention';
  }
  const next = run + 1;
  const claimed = await orderStore.note(
    order.id,
    { status: order.status, actor: 'reconciler', reason: `Workflow run ${run} ended ${state} with the order ${order.status}; resumed (run ${next})` },
    { workflowRun: next },
    { workflowRun: run, status: order.status },
  );
  if (!claimed) return undefined;
  await startOrderWorkflow(input, next);
  return 'workflow-resumed';
}

/** A flagged closed order whose stock and authorization are both released now needs nobody any more. */
async function resolveIfCompensated(orderId: string): Promise<void> {
  const order = await orderStore.get(orderId);
  if (!order?.needsAttention || order.stock === 'RESERVED') return;
  const payment = await paymentStore.get(orderId);
  if (payment?.status === 'authorized') return;
  await orderStore.resolveNeedsAttention(orderId, { status: order.status, actor: 'reconciler', reason: `Resolved: ${order.needsAttention.reason}` });
}

const hasRefundsOrReturns = (order: Order) => (order.payment?.amountRefunded ?? 0) > 0 || order.timeline.some((t) => /^Return \S+ requested$/.test(t.reason));

async function* ordersSince(from: string): AsyncGenerator<Order> {
  let cursor: string | undefined;
  do {
    const page = await orderStore.search({ from, limit: 100, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Warn this long before an authorization lapses (SPEC.md: within 24 h). */
const AUTHORIZATION_WARNING_MS = 24 * 3600 * 1000;

async function* paymentsIn(status: 'authorized' | 'action_required') {
  let cursor: string | undefined;
  do {
    const page = await paymentStore.list({ status, limit: 100, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}


