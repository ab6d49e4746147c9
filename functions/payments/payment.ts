import type { Money } from '../domain/money';
import type { DisputeSummary, NextAction, PaymentSummary } from '../domain/order';
import type { CardDetails } from './gateway';

/** Stripe's dispute statuses that end a dispute; every other status is open (needs a response or under review). */
export const CLOSED_DISPUTE_STATUSES = ['won', 'lost', 'warning_closed', 'prevented'];
export const DISPUTE_STATUSES = ['warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost', 'prevented'] as const;
// Both here, not in stripe-events.ts, so the disputes list route carries no event handling (nor Stripe).

/**
 * The payment record of one order, in plain TypeScript (the store maps it to DynamoDB). It mirrors the
 * provider's PaymentIntent in this service's words and keeps a history of every change with its source.
 * Card data kept: brand, last 4, expiry month/year — nothing else, ever (SPEC.md "Payments").
 */
export const PAYMENT_STATUSES = ['action_required', 'authorized', 'declined', 'voided', 'captured', 'partially_refunded', 'refunded', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface PaymentHistoryEntry {
  at: string;
  status: PaymentStatus;
  /** Who or what made the change: a workflow step, an admin, `stripe:<event type>`. */
  source: string;
  detail?: string;
}

/** A refund asked of the provider whose result is not recorded yet (claimed before the call, for races and retries). */
export interface PendingRefund {
  sequence: number;
  amount: number;
  /** amountRefunded when the refund was claimed: the result is base + amount, whatever webhooks did meanwhile. */
  baseRefunded: number;
  requestedAt: string;
  actor: string;
  /** The Idempotency-Key of the request that claimed it, and what that request asked (see refundOrderPayment). */
  requestKey?: string;
  requestFingerprint?: string;
}

export interface RefundEntry {
  refundId: string;
  sequence: number;
  amount: number;
  at: string;
  actor: string;
  /** Set when the provider reported the refund failed after accepting it; its amount is refundable again. */
  failedAt?: string;
  failureReason?: string;
  requestKey?: string;
  requestFingerprint?: string;
}

export interface PaymentRecord {
  orderId: string;
  provider: 'stripe' | 'sandbox';
  intentId?: string;
  amount: Money;
  amountCaptured: number;
  amountRefunded: number;
  currency: string;
  status: PaymentStatus;
  card?: CardDetails;
  declineCode?: string;
  /** action_required: what the customer must do (3-D Secure), and when the wait for it ends. */
  nextAction?: NextAction;
  actionExpiresAt?: string;
  /** The authorization must be captured before this (Stripe `capture_before`; sandbox: authorized + 7 days). */
  captureBefore?: string;
  /** The charge's latest dispute (charge.dispute.* events). */
  dispute?: DisputeSummary;
  /** Ordering of dispute events: [event.created, 1 when closed]; an event not after it changes nothing. */
  disputeEventRank?: [number, number];
  /** Refund failures reported before this service had recorded the refund itself (applied when it does). */
  refundFailures?: Record<string, { at: string; reason: string }>;
  history: PaymentHistoryEntry[];
  refunds: RefundEntry[];
  /** Number of refunds ever claimed; the next refund's idempotency key uses this + 1. */
  refundSequence: number;
  pendingRefund?: PendingRefund;
  /** Provider calls whose outcome was unknown (timeout, 5xx): the next one reads the real state first, then uses attempt + 1. */
  attempts?: { authorize?: number; capture?: number; void?: number };
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every write is conditional on the version it read. */
  version: number;
}

/**
 * How far along a payment is. Webhook events may arrive late or out of order; a change is applied only if it
 * moves forward (a late `amount_capturable_updated` after capture changes nothing). Voided and captured are
 * alternative ends of an authorization, so neither overrides the other.
 */
export const STATUS_RANK: Record<PaymentStatus, number> = {
  failed: 0,
  // Waiting for 3-D Secure: the customer's answer (authorized or declined) moves it on; nothing moves it back.
  action_required: 0.5,
  declined: 1,
  authorized: 1,
  voided: 2,
  captured: 2,
  partially_refunded: 3,
  refunded: 4,
};

/** What the provider still holds as refunded: refunds reported failed gave their amount back. */
export const succeededRefundTotal = (record: PaymentRecord) => record.refunds.filter((r) => !r.failedAt).reduce((sum, r) => sum + r.amount, 0);

export const remainingRefundable = (record: PaymentRecord) => Math.max(0, record.amountCaptured - record.amountRefunded);

export function toSummary(record: PaymentRecord): PaymentSummary {
  return {
    provider: record.provider,
    ...(record.intentId ? { paymentIntentId: record.intentId } : {}),
    status: record.status,
    amount: record.amount,
    amountRefunded: record.amountRefunded,
    ...(record.card
      ? { brand: record.card.brand, last4: record.card.last4, expMonth: record.card.expMonth, expYear: record.card.expYear }
      : {}),
    ...(record.declineCode ? { declineCode: record.declineCode } : {}),
    ...(record.status === 'action_required' && record.nextAction ? { nextAction: record.nextAction } : {}),
    ...(record.captureBefore ? { captureBefore: record.captureBefore } : {}),
    ...(record.dispute ? { dispute: record.dispute } : {}),
  };
}

/** What admins see: ids, amounts, statuses, history and the allowed card fields; no bookkeeping internals. */
export function adminPaymentView(record: PaymentRecord) {
  const { version, refundSequence, pendingRefund, disputeEventRank, refundFailures, ...view } = record;
  return { ...view, ...(pendingRefund ? { refundInProgress: { amount: pendingRefund.amount, requestedAt: pendingRefund.requestedAt } } : {}) };
}

/** What a provider event says about the intent (already mapped from Stripe's objects). */
export interface ProviderObservation {
  intentId: string;
  status?: PaymentStatus;
  amountCaptured?: number;
  /** Cumulative amount refunded on the charge. */
  amountRefunded?: number;
  declineCode?: string;
  captureBefore?: string;
}

/**
 * The record after a provider observation, or undefined when it changes nothing (a duplicate, a late event,
 * or a change this service already recorded itself).
 */
export function applyObservation(record: PaymentRecord, observation: ProviderObservation, source: string, at: string): PaymentRecord | undefined {
  // A failed record (authorize outcome unknown, e.g. a timeout) adopts the intent the provider reports.
  const adopts = !record.intentId && record.status === 'failed';
  if (!adopts && record.intentId !== observation.intentId) return undefined;

  let next: PaymentRecord = { ...record, ...(adopts ? { intentId: observation.intentId } : {}) };
  const entries: PaymentHistoryEntry[] = [];

  if (observation.status && STATUS_RANK[observation.status] > STATUS_RANK[next.status]) {
    next = {
      ...next,
      status: observation.status,
      ...(observation.status === 'captured' && observation.amountCaptured !== undefined ? { amountCaptured: observation.amountCaptured } : {}),
      ...(observation.status === 'declined' && observation.declineCode ? { declineCode: observation.declineCode } : {}),
      ...(observation.captureBefore ? { captureBefore: observation.captureBefore } : {}),
    };
    entries.push({ at, status: observation.status, source });
  }

  // After a refund failed, a late charge.refunded may still count it: trust only refunds that did not fail.
  const failed = record.refunds.some((r) => r.failedAt);
  if (failed && observation.amountRefunded !== undefined) observation = { ...observation, amountRefunded: Math.min(observation.amountRefunded, succeededRefundTotal(record)) };
  if (observation.amountRefunded !== undefined && observation.amountRefunded > next.amountRefunded) {
    const amountCaptured = Math.max(next.amountCaptured, observation.amountCaptured ?? 0);
    const status: PaymentStatus = observation.amountRefunded >= amountCaptured ? 'refunded' : 'partially_refunded';
    next = { ...next, amountCaptured, amountRefunded: observation.amountRefunded, status: STATUS_RANK[status] >= STATUS_RANK[next.status] ? status : next.status };
    entries.push({ at, status: next.status, source, detail: `amount refunded now ${observation.amountRefunded}` });
  }

  if (!entries.length && !adopts) return undefined;
  return { ...next, history: [...record.history, ...entries], updatedAt: at };
}
