import { conflict, ProblemError, unprocessable } from '../commons/problem';
import { config } from '../commons/config';
import { countMetric, logger } from '../commons/powertools';
import type { Order, PaymentSummary } from '../domain/order';
import { stripeGateway } from '../adapters/payments/stripe-gateway';
import { SandboxGateway } from '../adapters/payments/sandbox-gateway';
import { PaymentStateError, PaymentUnavailableError, type AuthorizeResult, type IntentSnapshot, type PaymentGateway } from './gateway';
import { remainingRefundable, toSummary, type PaymentHistoryEntry, type PaymentRecord, type PendingRefund } from './payment';
import { PaymentVersionConflict, paymentStore } from '../adapters/payment-store';

/**
 * What workflow steps and API handlers call for money: authorize at the charge step, capture at ship, void on
 * cancel/failure, refund by admins. Each operation is idempotent (provider idempotency keys + conditional
 * writes of the payment record), so Step Functions retries and concurrent requests never move money twice.
 */

/** A refund claimed less than this long ago is taken to be still in flight (its caller is waiting on the provider). */
const REFUND_IN_FLIGHT_MS = 30_000;
const MAX_ATTEMPTS = 8;

let sandbox: SandboxGateway | undefined;
let override: PaymentGateway | undefined;

/** Tests only: route every call through this gateway (e.g. Stripe pointed at a local fake). */
export function usePaymentGateway(gateway: PaymentGateway | undefined): void {
  override = gateway;
}

/** Stripe when a secret is configured (env locally, Secrets Manager on AWS); otherwise the sandbox. */
export async function currentGateway(): Promise<PaymentGateway> {
  if (override) return override;
  return (await stripeGateway()) ?? (sandbox ??= new SandboxGateway());
}

/** An existing payment stays with the provider that holds it, whatever is configured now. */
async function gatewayFor(provider: PaymentRecord['provider']): Promise<PaymentGateway> {
  if (override) return override;
  if (provider === 'sandbox') return (sandbox ??= new SandboxGateway());
  const stripe = await stripeGateway();
  if (!stripe) throw new PaymentUnavailableError('This payment is held by Stripe but no Stripe secret is configured.');
  return stripe;
}

const now = () => new Date().toISOString();
const entry = (status: PaymentHistoryEntry['status'], source: string, detail?: string): PaymentHistoryEntry => ({
  at: now(),
  status,
  source,
  ...(detail ? { detail } : {}),
});

export type AuthorizeOutcome =
  | { outcome: 'authorized'; payment: PaymentSummary }
  | { outcome: 'declined'; declineCode: string; payment: PaymentSummary }
  /** 3-D Secure: the customer must authenticate; checkPaymentAction decides later. */
  | { outcome: 'action_required'; payment: PaymentSummary };

function outcomeOf(record: PaymentRecord): AuthorizeOutcome {
  if (record.status === 'declined') return { outcome: 'declined', declineCode: record.declineCode ?? 'card_declined', payment: toSummary(record) };
  if (record.status === 'action_required') return { outcome: 'action_required', payment: toSummary(record) };
  return { outcome: 'authorized', payment: toSummary(record) };
}

/** Declines of a 3-D Secure wait (SPEC.md): the customer refused, or did not answer in time. */
export const AUTHENTICATION_FAILED = 'authentication_failed';
export const AUTHENTICATION_REQUIRED = 'authentication_required';

/**
 * The charge step. A retry after success returns the recorded outcome without calling the provider. After an
 * attempt whose outcome is unknown (timeout, 5xx, connection error) the provider's real state is read first
 * (findAuthorization): an authorization it holds is recorded, never made again; only when it holds none is the
 * call repeated, under a fresh idempotency key (Stripe replays a stored 500 for 24 h under the old one).
 * A crash between the provider's answer and the record leaves no record: the retry repeats attempt 1 under
 * the same key, which the provider answers from its idempotency store.
 */
export async function authorizeOrderPayment(order: Order): Promise<AuthorizeOutcome> {
  for (let round = 0; round < MAX_ATTEMPTS; round++) {
    const existing = await paymentStore.get(order.id);
    if (existing && existing.status !== 'failed') return outcomeOf(existing);

    const gateway = existing ? await gatewayFor(existing.provider) : await currentGateway();
    const base = baseRecord(order, gateway.provider, existing);
    let attempt = existing?.attempts?.authorize ?? 1;
    let result: AuthorizeResult | undefined;
    try {
      if (existing) {
        result = await gateway.findAuthorization(order.id, attempt);
        // Nothing held: a fresh key, once the provider's lookup is sure to have seen the last attempt.
        if (!result && Date.now() - Date.parse(existing.updatedAt) >= gateway.lookupLagMs) attempt++;
      }
      result ??= await gateway.authorize({ orderId: order.id, amount: order.total, paymentMethodId: order.paymentMethodId, attempt });
    } catch (error) {
      if (error instanceof PaymentUnavailableError) {
        logger.warn('Payment provider unavailable at authorize', { orderId: order.id, provider: gateway.provider, cause: error.causeType, attempt });
        await saveQuietly({ ...base, status: 'failed', attempts: { ...base.attempts, authorize: attempt }, history: [...base.history, entry('failed', 'workflow:authorize', error.message)] }, existing?.version);
      }
      throw error;
    }

    const attempts = { ...base.attempts, authorize: attempt };
    const record: PaymentRecord =
      result.outcome === 'authorized'
        ? {
            ...base,
            attempts,
            intentId: result.intentId,
            status: 'authorized',
            card: result.card,
            ...(result.captureBefore ? { captureBefore: result.captureBefore } : {}),
            history: [...base.history, entry('authorized', 'workflow:authorize')],
          }
        : result.outcome === 'action_required'
        ? {
            ...base,
            attempts,
            intentId: result.intentId,
            status: 'action_required',
            ...(result.card ? { card: result.card } : {}),
            nextAction: result.nextAction,
            actionExpiresAt: new Date(Date.now() + config.paymentActionTimeoutSeconds() * 1000).toISOString(),
            history: [...base.history, entry('action_required', 'workflow:authorize', `3-D Secure: ${result.nextAction.type}`)],
          }
        : {
            ...base,
            attempts,
            ...(result.intentId ? { intentId: result.intentId } : {}),
            status: 'declined',
            declineCode: result.declineCode,
            history: [...base.history, entry('declined', 'workflow:authorize', result.declineCode)],
          };
    try {
      const saved = await paymentStore.save(record, existing?.version);
      logger.info('Payment authorization recorded', { orderId: order.id, provider: gateway.provider, outcome: result.outcome, declineCode: record.declineCode });
      return outcomeOf(saved);
    } catch (error) {
      if (!(error instanceof PaymentVersionConflict)) throw error;
      // A concurrent attempt recorded first (same idempotency key, so the same intent): read its outcome.
    }
  }
  throw new PaymentUnavailableError(`Too much contention authorizing order ${order.id}; retry.`);
}

/**
 * A capture or void whose earlier call had an unknown outcome reads the intent first: what already happened
 * is recorded, not repeated; otherwise the call goes again under the next attempt's key.
 */
async function providerCall(
  record: PaymentRecord,
  operation: 'capture' | 'void',
  call: (gateway: PaymentGateway, attempt: number) => Promise<IntentSnapshot>,
): Promise<IntentSnapshot> {
  const gateway = await gatewayFor(record.provider);
  const previous = record.attempts?.[operation] ?? 0;
  if (previous > 0) {
    const now = await gateway.retrieve(record.intentId!);
    if (operation === 'capture' && now.status === 'succeeded') return now;
    if (operation === 'void' && now.status === 'canceled') return now;
  }
  const attempt = previous + 1;
  try {
    return await call(gateway, attempt);
  } catch (error) {
    if (error instanceof PaymentUnavailableError) {
      await saveQuietly({ ...record, attempts: { ...record.attempts, [operation]: attempt }, updatedAt: now() }, record.version);
    }
    throw error;
  }
}

function baseRecord(order: Order, provider: PaymentRecord['provider'], existing: PaymentRecord | undefined): PaymentRecord {
  const at = now();
  return {
    orderId: order.id,
    provider,
    amount: order.total,
    amountCaptured: 0,
    amountRefunded: 0,
    currency: order.total.currency,
    status: 'failed',
    history: existing?.history ?? [],
    ...(existing?.attempts ? { attempts: existing.attempts } : {}),
    refunds: [],
    refundSequence: 0,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    version: existing?.version ?? 0,
  };
}

async function saveQuietly(record: PaymentRecord, expectedVersion: number | undefined): Promise<void> {
  try {
    await paymentStore.save(record, expectedVersion);
  } catch (error) {
    logger.warn('Could not record the failed payment attempt', { orderId: record.orderId, error: (error as Error).name });
  }
}

export type ActionCheck =
  | { outcome: 'pending'; payment: PaymentSummary }
  | { outcome: 'authorized'; payment: PaymentSummary }
  | { outcome: 'declined'; declineCode: string; payment: PaymentSummary };

/**
 * One look at a 3-D Secure wait. The payment record is the truth: a webhook (Stripe) or the sandbox page's
 * event may have moved it to authorized or declined already. While it still says action_required, the
 * intent itself is read (a lost webhook costs one poll, not the order); past `actionExpiresAt` the intent is
 * cancelled at the provider first, so a late approval cannot authorize it, and the payment is declined
 * `authentication_required`. Every write is conditional on the record's version: a racing webhook makes
 * this re-read and decide again, never both.
 */
export async function checkPaymentAction(orderId: string, at = Date.now()): Promise<ActionCheck> {
  for (let round = 0; round < MAX_ATTEMPTS; round++) {
    const record = await paymentStore.get(orderId);
    if (!record) throw new PaymentStateError(`Order ${orderId} has no payment waiting for authentication.`);
    if (record.status === 'declined') return { outcome: 'declined', declineCode: record.declineCode ?? AUTHENTICATION_FAILED, payment: toSummary(record) };
    if (record.status !== 'action_required') {
      if (record.status === 'authorized' && !record.captureBefore) return { outcome: 'authorized', payment: toSummary(await withChargeFacts(record)) };
      if (record.status === 'authorized' || record.status === 'captured') return { outcome: 'authorized', payment: toSummary(record) };
      throw new PaymentStateError(`The payment of order ${orderId} is ${record.status}, not waiting for authentication.`);
    }

    const gateway = await gatewayFor(record.provider);
    const intent = await gateway.retrieve(record.intentId!);
    let next: PaymentRecord | undefined;
    if (intent.status === 'requires_capture' || intent.status === 'succeeded') {
      next = {
        ...record,
        status: 'authorized',
        ...(intent.card ? { card: intent.card } : {}),
        ...(intent.captureBefore ? { captureBefore: intent.captureBefore } : {}),
        history: [...record.history, entry('authorized', 'workflow:check-payment-action', '3-D Secure completed (read from the provider)')],
      };
    } else if (intent.status === 'requires_payment_method' || intent.status === 'canceled') {
      next = declinedRecord(record, intent.status === 'canceled' ? AUTHENTICATION_REQUIRED : AUTHENTICATION_FAILED, 'workflow:check-payment-action');
    } else if (record.actionExpiresAt && at >= Date.parse(record.actionExpiresAt)) {
      try {
        await gateway.cancel(orderId, record.intentId!);
      } catch (error) {
        // Authenticated just now: the next round reads requires_capture and authorizes.
        if (error instanceof PaymentStateError && (error.intentStatus === 'requires_capture' || error.intentStatus === 'succeeded')) continue;
        throw error;
      }
      next = declinedRecord(record, AUTHENTICATION_REQUIRED, 'workflow:check-payment-action', 'no answer to 3-D Secure in time; intent cancelled');
    } else {
      return { outcome: 'pending', payment: toSummary(record) };
    }
    try {
      const saved = await paymentStore.save({ ...next, updatedAt: now() }, record.version);
      logger.info('3-D Secure wait decided', { orderId, provider: record.provider, status: saved.status, declineCode: saved.declineCode });
      return outcomeOfCheck(saved);
    } catch (error) {
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
  throw new PaymentUnavailableError(`Too much contention checking the payment of order ${orderId}; retry.`);
}

/**
 * An authorization that a webhook recorded (its event carries no charge) gets the card and `captureBefore`
 * from the intent. Best effort: a conflict or a provider error leaves the record as it is, still authorized.
 */
async function withChargeFacts(record: PaymentRecord): Promise<PaymentRecord> {
  try {
    const intent = await (await gatewayFor(record.provider)).retrieve(record.intentId!);
    if (!intent.captureBefore && !intent.card) return record;
    return await paymentStore.save(
      { ...record, ...(intent.card ? { card: intent.card } : {}), ...(intent.captureBefore ? { captureBefore: intent.captureBefore } : {}), updatedAt: now() },
      record.version,
    );
  } catch (error) {
    logger.warn('Could not read the card and capture deadline of an authorization', { orderId: record.orderId, error: (error as Error).name });
    return record;
  }
}

function declinedRecord(record: PaymentRecord, declineCode: string, source: string, detail?: string): PaymentRecord {
  return { ...record, status: 'declined', declineCode, history: [...record.history, entry('declined', source, detail ?? declineCode)] };
}

function outcomeOfCheck(record: PaymentRecord): ActionCheck {
  if (record.status === 'declined') return { outcome: 'declined', declineCode: record.declineCode ?? AUTHENTICATION_FAILED, payment: toSummary(record) };
  if (record.status === 'action_required') return { outcome: 'pending', payment: toSummary(record) };
  return { outcome: 'authorized', payment: toSummary(record) };
}

/**
 * Compensation for cancel and failure. No payment, or nothing left to release: no-op. Authorized: void.
 * Already captured (cancel raced the ship step): refund whatever is not refunded yet.
 */
export async function voidOrderPayment(orderId: string, actor: string): Promise<PaymentSummary | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await paymentStore.get(orderId);
    if (!record) return undefined;
    switch (record.status) {
      case 'declined':
      case 'voided':
      case 'refunded':
      case 'failed':
        return toSummary(record);
      case 'captured':
      case 'partially_refunded':
        return refundOrderPayment(orderId, undefined, actor);
      case 'action_required':
      case 'authorized': {
        try {
          await providerCall(record, 'void', (gateway, attempt) => gateway.cancel(orderId, record.intentId!, attempt));
        } catch (error) {
          // Captured at the provider although not recorded here (e.g. from Stripe's dashboard): record the
          // capture, then the next round refunds it.
          if (error instanceof PaymentStateError && error.intentStatus === 'succeeded') {
            await saveQuietly(
              { ...record, status: 'captured', amountCaptured: record.amount.amount, updatedAt: now(), history: [...record.history, entry('captured', actor, 'found captured at the provider')] },
              record.version,
            );
            continue;
          }
          throw error;
        }
        try {
          const saved = await paymentStore.save(
            { ...record, status: 'voided', updatedAt: now(), history: [...record.history, entry('voided', actor)] },
            record.version,
          );
          logger.info('Payment voided', { orderId, provider: record.provider });
          return toSummary(saved);
        } catch (error) {
          if (!(error instanceof PaymentVersionConflict)) throw error;
        }
      }
    }
  }
  throw new PaymentUnavailableError(`Too much contention voiding the payment of order ${orderId}; retry.`);
}

/** The ship step. Capturing an already captured payment returns it unchanged. */
export async function captureOrderPayment(orderId: string): Promise<PaymentSummary> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await paymentStore.get(orderId);
    if (!record) throw new PaymentStateError(`Order ${orderId} has no payment to capture.`);
    if (record.status === 'captured' || record.status === 'partially_refunded' || record.status === 'refunded') return toSummary(record);
    if (record.status !== 'authorized') throw new PaymentStateError(`Cannot capture a ${record.status} payment (order ${orderId}).`);

    let amountCaptured: number;
    try {
      amountCaptured = (await providerCall(record, 'capture', (gateway, attempt) => gateway.capture(orderId, record.intentId!, attempt))).amountCaptured;
    } catch (error) {
      // The authorization is gone at the provider (expired or voided elsewhere): record that truthfully.
      if (error instanceof PaymentStateError && error.intentStatus === 'canceled') {
        await saveQuietly({ ...record, status: 'voided', updatedAt: now(), history: [...record.history, entry('voided', 'workflow:capture', 'authorization canceled at the provider')] }, record.version);
      }
      throw error;
    }
    try {
      const saved = await paymentStore.save(
        { ...record, status: 'captured', amountCaptured, updatedAt: now(), history: [...record.history, entry('captured', 'workflow:ship')] },
        record.version,
      );
      logger.info('Payment captured', { orderId, provider: record.provider, amountCaptured });
      countMetric('Revenue', { currency: record.currency }, amountCaptured);
      return toSummary(saved);
    } catch (error) {
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
  throw new PaymentUnavailableError(`Too much contention capturing the payment of order ${orderId}; retry.`);
}

const keyReused = () => unprocessable('idempotency-key-reused', 'This Idempotency-Key was already used with a different request body.');

/**
 * Refund after capture, in full (amount undefined) or in part. The refund is first claimed in the record
 * (numbered, conditional on the version), then sent with the key `order-<id>-refund-<n>`: concurrent requests
 * cannot both claim, and a retry of an unfinished refund reuses its number, so the provider acts once.
 *
 * With `requestKey` (the caller's Idempotency-Key) the key names one refund of this order, recorded with it
 * in the payment record, for as long as the record lives: a repeat with the same amount answers the payment
 * as it is now and refunds nothing; with another amount it is a 422; while the first is still in flight, a
 * 409. As for orders, no lock that expires with the function's timeout is involved.
 */
export async function refundOrderPayment(
  orderId: string,
  amount: number | undefined,
  actor: string,
  /** `oncePerActor`: at most one refund by this actor ever (a return's refund): a repeat returns the first. */
  options: { oncePerActor?: boolean } = {},
): Promise<PaymentSummary> {
  return (await refund(orderId, amount, actor, options)).payment;
}

/**
 * The refund a request names by its Idempotency-Key (see refundOrderPayment). `repeat` is true when the key
 * had already claimed a refund (finished, or finished now): the caller's side effects of the first request
 * (its audit entry) may or may not have happened.
 */
export async function refundOrderPaymentByKey(orderId: string, amount: number | undefined, actor: string, requestKey: string): Promise<{ payment: PaymentSummary; repeat: boolean }> {
  return refund(orderId, amount, actor, { requestKey });
}

async function refund(
  orderId: string,
  amount: number | undefined,
  actor: string,
  options: { oncePerActor?: boolean; requestKey?: string },
): Promise<{ payment: PaymentSummary; repeat: boolean }> {
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0)) {
    throw unprocessable('invalid-refund-amount', 'The refund amount must be a positive integer of minor units.', [{ path: 'amount', message: 'must be a positive integer' }]);
  }
  const { requestKey } = options;
  const requestFingerprint = requestKey === undefined ? undefined : amount === undefined ? 'remaining' : String(amount);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await paymentStore.get(orderId);
    if (!record) throw conflict('payment-not-captured', `Order ${orderId} has no payment to refund.`);
    // Checked on the record whose version the claim below is conditioned on: two callers cannot both pass.
    if (options.oncePerActor && record.refunds.some((r) => r.actor === actor)) return { payment: toSummary(record), repeat: true };
    if (requestKey !== undefined) {
      // Before the status checks: the repeat of a full refund finds the payment refunded, and is still a repeat.
      const done = record.refunds.find((r) => r.requestKey === requestKey);
      if (done) {
        if (done.requestFingerprint !== requestFingerprint) throw keyReused();
        return { payment: toSummary(record), repeat: true };
      }
      if (record.pendingRefund?.requestKey === requestKey && record.pendingRefund.requestFingerprint !== requestFingerprint) throw keyReused();
    }
    // An unfinished claim first, before the status checks: a webhook may already have reported its refund
    // (charge.refunded can make the payment `refunded` before the claim is recorded), and the claim must
    // still be settled into its entry.
    if (record.pendingRefund) {
      const pending = record.pendingRefund;
      if (Date.now() - Date.parse(pending.requestedAt) < REFUND_IN_FLIGHT_MS) {
        throw conflict('refund-in-progress', `A refund of ${pending.amount} for order ${orderId} is in progress; retry shortly.`);
      }
      // An earlier refund never got its result recorded: finish it first with its own key (no second effect).
      const settled = await settleRefund(record, pending);
      // The same request (by key) is a retry of that refund. Without keys on either side, the same actor's
      // request for the same amount is taken as its retry, and its full refund also covers whatever remains.
      // Anything else (another key, a keyless request behind a keyed claim, another actor: a second return of
      // the same price) is a refund of its own and goes on to claim one.
      if (requestKey !== undefined && pending.requestKey === requestKey) return { payment: settled, repeat: true };
      const sameRequest = requestKey === undefined && pending.requestKey === undefined && pending.actor === actor;
      if (sameRequest && (amount === pending.amount || (amount === undefined && settled.status === 'refunded'))) return { payment: settled, repeat: false };
      continue;
    }

    if (record.status === 'refunded') throw conflict('payment-already-refunded', `The payment of order ${orderId} is already fully refunded.`);
    if (record.status !== 'captured' && record.status !== 'partially_refunded') {
      throw conflict(
        'payment-not-captured',
        `The payment of order ${orderId} is ${record.status}; only a captured payment (captured when the order ships) can be refunded.` +
          (record.status === 'authorized' ? ' Cancel the order to release the authorization instead.' : ''),
      );
    }

    const remaining = remainingRefundable(record);
    const wanted = amount ?? remaining;
    if (wanted > remaining) {
      throw unprocessable('refund-exceeds-remaining', `The refund of ${wanted} exceeds the ${remaining} ${record.currency} not yet refunded.`, [
        { path: 'amount', message: `must be at most ${remaining}` },
      ]);
    }
    const pending: PendingRefund = {
      sequence: record.refundSequence + 1,
      amount: wanted,
      baseRefunded: record.amountRefunded,
      requestedAt: now(),
      actor,
      ...(requestKey !== undefined ? { requestKey, requestFingerprint } : {}),
    };
    let claimed: PaymentRecord;
    try {
      claimed = await paymentStore.save({ ...record, pendingRefund: pending, refundSequence: pending.sequence, updatedAt: pending.requestedAt }, record.version, { syncOrder: false });
    } catch (error) {
      if (error instanceof PaymentVersionConflict) continue;
      throw error;
    }
    return { payment: await settleRefund(claimed, pending), repeat: false };
  }
  throw conflict('refund-in-progress', `The payment of order ${orderId} is changing concurrently; retry shortly.`);
}

async function settleRefund(record: PaymentRecord, pending: PendingRefund): Promise<PaymentSummary> {
  const gateway = await gatewayFor(record.provider);
  let refund;
  try {
    refund = await gateway.refund(record.orderId, record.intentId!, { amount: pending.amount, sequence: pending.sequence });
  } catch (error) {
    if (error instanceof PaymentStateError) {
      await clearPending(record.orderId, pending.sequence);
      throw conflict('refund-rejected', `The provider refused the refund: ${error.message}`);
    }
    // Unavailable: the outcome is unknown, so the claim stays; a later request settles it with the same key.
    throw error;
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = (await paymentStore.get(record.orderId))!;
    // Someone (a concurrent settle of the same claim) recorded it already.
    if (current.pendingRefund?.sequence !== pending.sequence) return toSummary(current);
    // The provider already reported this refund failed (refund.failed before this answer was recorded).
    const failure = current.refundFailures?.[refund.refundId];
    // A charge.refunded webhook may have raised amountRefunded already; max() keeps it from counting twice.
    // A failed one is not counted, even if a charge.refunded webhook had already counted it.
    const amountRefunded = failure
      ? Math.min(current.amountRefunded, Math.max(pending.baseRefunded, current.amountRefunded - refund.amount))
      : Math.max(current.amountRefunded, pending.baseRefunded + refund.amount);
    const status = amountRefunded >= current.amountCaptured ? 'refunded' : amountRefunded > 0 || current.refunds.some((r) => !r.failedAt) ? 'partially_refunded' : 'captured';
    const { pendingRefund, ...rest } = current;
    try {
      const saved = await paymentStore.save(
        {
          ...rest,
          status,
          amountRefunded,
          refunds: [
            ...current.refunds,
            {
              refundId: refund.refundId, sequence: pending.sequence, amount: refund.amount, at: now(), actor: pending.actor,
              ...(failure ? { failedAt: failure.at, failureReason: failure.reason } : {}),
              ...(pending.requestKey !== undefined ? { requestKey: pending.requestKey, requestFingerprint: pending.requestFingerprint } : {}),
            },
          ],
          updatedAt: now(),
          history: [...current.history, entry(status, pending.actor, `refund ${pending.sequence}: ${refund.amount} ${current.currency} (${refund.status})`)],
        },
        current.version,
      );
      logger.info('Payment refunded', { orderId: record.orderId, provider: record.provider, amount: refund.amount, sequence: pending.sequence });
      countMetric('Refunds', { source: pending.actor.startsWith('admin:') ? 'admin' : 'compensation' });
      return toSummary(saved);
    } catch (error) {
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
  throw new PaymentUnavailableError(`Too much contention recording the refund of order ${record.orderId}; retry.`);
}

async function clearPending(orderId: string, sequence: number): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await paymentStore.get(orderId);
    if (!current || current.pendingRefund?.sequence !== sequence) return;
    const { pendingRefund, ...rest } = current;
    try {
      await paymentStore.save({ ...rest, updatedAt: now() }, current.version, { syncOrder: false });
      return;
    } catch (error) {
      if (!(error instanceof PaymentVersionConflict)) throw error;
    }
  }
}

export { PaymentUnavailableError, PaymentStateError, ProblemError };
