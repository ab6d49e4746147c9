import type Stripe from 'stripe';
import { logger } from '../commons/powertools';
import { CLOSED_DISPUTE_STATUSES, type PaymentHistoryEntry, type PaymentRecord } from './payment';
import type { Order } from '../domain/order';
import { formatMoney } from '../domain/money';
import type { SaveOptions } from '../adapters/payment-store';
import { DuplicateEvent, PaymentVersionConflict, paymentStore } from '../adapters/payment-store';
import { orderStore } from '../adapters/order-store';

/**
 * Stripe events that change a payment record without any call back to the provider: a refund that failed
 * after it was accepted, and disputes. Applied exactly once per event id (the marker is written in the same
 * transaction as the change). Apart from stripe-events.ts, whose authorization events may void a late
 * authorization through the payment service and so reach the Stripe SDK: the sandbox's delayed events
 * (sandbox-later.ts, run by the outbox consumer) are only of these kinds and carry none of that.
 */
export type EventResult = 'applied' | 'unchanged' | 'duplicate' | 'ignored';

export const isRefundOrDisputeEvent = (event: Stripe.Event) =>
  event.type === 'refund.failed' || event.type === 'refund.updated' || event.type === 'charge.refund.updated' || event.type.startsWith('charge.dispute.');

/** A signed event of a handled type without the fields its type requires: the webhook answers 400. */
export class MalformedEvent extends Error {
  override readonly name = 'MalformedEvent';
}

const intentIdOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined;

/** A change to a payment record (and a note on its order) decided from the record and order as read. */
type Decide = (record: PaymentRecord, order: Order, at: string) => { next: PaymentRecord; note?: SaveOptions['orderNote'] } | undefined;

/** refund.failed / refund.updated / charge.refund.updated with status failed: the refund's amount comes back. */
function refundFailure(event: Stripe.Event): { intentId?: string; orderId?: string; decide: Decide } | undefined {
  const refund = event.data.object as Stripe.Refund;
  if (refund.object !== undefined && refund.object !== 'refund') throw new MalformedEvent(`${event.type} carries a ${String(refund.object)}, not a refund.`);
  if (refund.status !== 'failed') return undefined;
  if (typeof refund.id !== 'string' || !refund.id || typeof refund.amount !== 'number') throw new MalformedEvent('A failed refund needs its id and amount.');
  const reason = refund.failure_reason ?? 'unknown';
  const source = `stripe:${event.type}`;
  return {
    intentId: intentIdOf(refund.payment_intent),
    orderId: refund.metadata?.orderId,
    decide: (record, order, at) => {
      const entry = record.refunds.find((r) => r.refundId === refund.id);
      if (entry?.failedAt || record.refundFailures?.[refund.id]) return undefined;
      const attention = { kind: 'refund-failed' as const, since: at, reason: `A refund failed after it was accepted (${reason}); the amount is refundable again` };
      if (!entry) {
        // Reported before this service recorded the refund (its call is still returning): remembered, and
        // applied by settleRefund when it records the refund, so the order of the two does not matter.
        return {
          next: { ...record, refundFailures: { ...record.refundFailures, [refund.id]: { at, reason } }, updatedAt: at, history: [...record.history, { at, status: record.status, source, detail: `refund ${refund.id} failed (${reason}) before it was recorded` }] },
          note: { status: order.status, actor: source, reason: `Refund of ${formatMoney({ amount: refund.amount, currency: record.currency })} failed (${reason})`, needsAttention: attention },
        };
      }
      const next = failRefund(record, refund.id, reason, at, source);
      return { next, note: { status: order.status, actor: source, reason: `Refund ${entry.sequence} of ${formatMoney({ amount: entry.amount, currency: record.currency })} failed (${reason}); the amount is refundable again`, needsAttention: attention } };
    },
  };
}

/** The record with refund `refundId` marked failed and its amount no longer counted as refunded. */
export function failRefund(record: PaymentRecord, refundId: string, reason: string, at: string, source: string): PaymentRecord {
  const entry = record.refunds.find((r) => r.refundId === refundId)!;
  const amountRefunded = Math.max(0, record.amountRefunded - entry.amount);
  const status = amountRefunded === 0 ? 'captured' : 'partially_refunded';
  const history: PaymentHistoryEntry = { at, status, source, detail: `refund ${entry.sequence} of ${entry.amount} ${record.currency} failed (${reason}); amount refunded now ${amountRefunded}` };
  return {
    ...record,
    status,
    amountRefunded,
    refunds: record.refunds.map((r) => (r.refundId === refundId ? { ...r, failedAt: at, failureReason: reason } : r)),
    updatedAt: at,
    history: [...record.history, history],
  };
}

/** charge.dispute.*: the latest state of the dispute, newest event wins (closed beats open at the same second). */
function disputeChange(event: Stripe.Event): { intentId?: string; decide: Decide } | undefined {
  const dispute = event.data.object as Stripe.Dispute;
  if (typeof dispute.id !== 'string' || typeof dispute.status !== 'string' || typeof dispute.amount !== 'number') throw new MalformedEvent('A dispute needs its id, status and amount.');
  const closed = CLOSED_DISPUTE_STATUSES.includes(dispute.status) ? 1 : 0;
  const rank: [number, number] = [typeof event.created === 'number' ? event.created : 0, closed];
  const source = `stripe:${event.type}`;
  const dueBy = dispute.evidence_details?.due_by;
  return {
    intentId: intentIdOf(dispute.payment_intent),
    decide: (record, order, at) => {
      const previous = record.disputeEventRank;
      if (previous && record.dispute?.id === dispute.id && (rank[0] < previous[0] || (rank[0] === previous[0] && rank[1] <= previous[1]))) return undefined;
      const summary = {
        id: dispute.id,
        status: dispute.status,
        reason: dispute.reason ?? 'general',
        amount: dispute.amount,
        ...(typeof dueBy === 'number' ? { evidenceDueBy: new Date(dueBy * 1000).toISOString() } : {}),
        openedAt: record.dispute?.id === dispute.id && record.dispute.openedAt ? record.dispute.openedAt : typeof dispute.created === 'number' ? new Date(dispute.created * 1000).toISOString() : at,
      };
      const amount = formatMoney({ amount: dispute.amount, currency: record.currency });
      const next: PaymentRecord = {
        ...record,
        dispute: summary,
        disputeEventRank: rank,
        updatedAt: at,
        history: [...record.history, { at, status: record.status, source, detail: `dispute ${dispute.status} (${summary.reason}), ${dispute.amount} ${record.currency}` }],
      };
      const note: SaveOptions['orderNote'] = closed
        ? { status: order.status, actor: source, reason: `Dispute of ${amount} closed: ${dispute.status}`, clearAttention: order.needsAttention?.kind === 'dispute' }
        : {
            status: order.status,
            actor: source,
            reason: `Charge disputed (${summary.reason}): ${amount}, ${dispute.status}${summary.evidenceDueBy ? `, evidence due by ${summary.evidenceDueBy}` : ''}`,
            needsAttention: { kind: 'dispute', since: at, reason: `Charge disputed (${summary.reason})${summary.evidenceDueBy ? `; evidence due by ${summary.evidenceDueBy}` : ''}` },
          };
      return { next, note };
    },
  };
}

/** Applies `decide` with the event's marker in the same transaction: exactly once, retried on conflicts. */
async function applyRecordChange(event: Stripe.Event, orderId: string | undefined, decide: Decide): Promise<EventResult> {
  const marker = { source: 'stripe', eventId: event.id, type: event.type };
  for (let attempt = 0; attempt < 8; attempt++) {
    const [record, order] = orderId ? await Promise.all([paymentStore.get(orderId), orderStore.get(orderId)]) : [undefined, undefined];
    const change = record && order ? decide(record, order, new Date().toISOString()) : undefined;
    if (!record || !order || !change) {
      return (await paymentStore.markEvent(marker)) === 'duplicate' ? 'duplicate' : record ? 'unchanged' : 'ignored';
    }
    try {
      await paymentStore.save(change.next, record.version, { webhookEvent: marker, ...(change.note ? { orderNote: change.note } : {}) });
      logger.info('Stripe event applied', { eventId: event.id, type: event.type, orderId });
      return 'applied';
    } catch (error) {
      if (error instanceof DuplicateEvent) return 'duplicate';
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
  throw new Error(`Too much contention applying Stripe event ${event.id}`);
}

/** A refund or dispute event (isRefundOrDisputeEvent), applied once. */
export async function applyRefundOrDisputeEvent(event: Stripe.Event): Promise<EventResult> {
  const marker = { source: 'stripe', eventId: event.id, type: event.type };
  if (await paymentStore.eventSeen('stripe', event.id)) return 'duplicate';
  const change = event.type.startsWith('charge.dispute.') ? disputeChange(event) : refundFailure(event);
  const orderId = change ? ((change as { orderId?: string }).orderId ?? (change.intentId ? await paymentStore.orderIdForIntent(change.intentId) : undefined)) : undefined;
  if (!change || !orderId) return (await paymentStore.markEvent(marker)) === 'duplicate' ? 'duplicate' : 'ignored';
  return applyRecordChange(event, orderId, change.decide);
}
