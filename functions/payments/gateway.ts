import type { Money } from '../domain/money';
import type { NextAction } from '../domain/order';

/**
 * The payment gateway port: what the order service needs from a card processor, in plain TypeScript.
 * Adapters: Stripe (functions/adapters/payments/stripe-gateway.ts) and the local sandbox
 * (functions/adapters/payments/sandbox-gateway.ts), which follows Stripe's PaymentIntent states.
 *
 * Every call carries an idempotency key derived from the order and the step, so a retried step (Step Functions
 * Retry, SDK network retry, a re-sent admin request) never authorizes, captures or refunds twice.
 */

/** Only these card fields are ever read from the provider, stored or shown (SPEC.md "Payments"). */
export interface CardDetails {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** Stripe's PaymentIntent statuses that this service meets. */
export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface AuthorizeRequest {
  orderId: string;
  amount: Money;
  paymentMethodId: string;
  customerRef?: string;
  /** 1 for the first try; a new number only after reconciling found no earlier authorization (a fresh key). */
  attempt?: number;
}

export type AuthorizeResult =
  | { outcome: 'authorized'; intentId: string; status: IntentStatus; card: CardDetails; captureBefore?: string }
  | { outcome: 'declined'; intentId?: string; declineCode: string; message: string }
  /** 3-D Secure: the intent is `requires_action` until the customer authenticates (or refuses). */
  | { outcome: 'action_required'; intentId: string; nextAction: NextAction; card?: CardDetails };

/** The state of an intent after capture or cancel. Amounts in minor units. */
export interface IntentSnapshot {
  intentId: string;
  status: IntentStatus;
  amount: number;
  amountCaptured: number;
  currency: string;
  /** Why the last confirmation failed (e.g. `authentication_failed` after a refused 3-D Secure check). */
  declineCode?: string;
  /** Stripe `latest_charge.payment_method_details.card.capture_before` (ISO); sandbox: authorization + 7 days. */
  captureBefore?: string;
  /** Present once the intent holds an authorization. */
  card?: CardDetails;
}

export interface RefundRequest {
  /** Omitted: refund everything not yet refunded. */
  amount?: number;
  /**
   * Which refund of this order this is (1, 2, …). It is part of the idempotency key: two different partial
   * refunds get different numbers and both go through; a retry of the same refund reuses its number.
   */
  sequence: number;
}

export interface RefundResult {
  refundId: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
}

export interface PaymentGateway {
  readonly provider: 'stripe' | 'sandbox';
  /**
   * How long after an authorization attempt `findAuthorization` is sure to see it (Stripe's search index lags
   * by up to a minute; the sandbox reads its table strongly consistently). No fresh key before then.
   */
  readonly lookupLagMs: number;
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** What the provider really holds for the order's authorization attempts 1..attempts (Stripe: search by metadata). */
  findAuthorization(orderId: string, attempts: number): Promise<AuthorizeResult | undefined>;
  /** The intent's state now, read before a capture or void is retried after an unknown outcome. */
  retrieve(intentId: string): Promise<IntentSnapshot>;
  capture(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot>;
  /** Void an uncaptured authorization (Stripe: cancel the PaymentIntent). */
  cancel(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot>;
  refund(orderId: string, intentId: string, request: RefundRequest): Promise<RefundResult>;
}

/**
 * The provider could not be reached or failed on its side (network, rate limit, 5xx, API error). Safe to
 * retry with the same idempotency key. `name` is what Step Functions matches in Retry/Catch `ErrorEquals`.
 */
export class PaymentUnavailableError extends Error {
  override readonly name = 'PaymentUnavailable';
  constructor(message: string, readonly causeType?: string) {
    super(message);
  }
}

/**
 * The intent is not in a state that allows the operation (e.g. capture after a void). Retrying does not help;
 * the service reconciles or reports a conflict.
 */
export class PaymentStateError extends Error {
  override readonly name = 'PaymentStateError';
  constructor(
    message: string,
    readonly intentStatus?: IntentStatus,
  ) {
    super(message);
  }
}

/**
 * Idempotency keys: one per order, step and attempt. Refunds are numbered so distinct partial refunds both
 * happen. A later attempt gets a fresh key only after the provider's real state was read: Stripe keeps the
 * answer of a key for 24 h, a 500 included, so retrying a failed call under the same key could never recover.
 */
const attemptSuffix = (attempt = 1) => (attempt > 1 ? `-${attempt}` : '');
export const idempotencyKeys = {
  authorize: (orderId: string, attempt?: number) => `order-${orderId}-authorize${attemptSuffix(attempt)}`,
  capture: (orderId: string, attempt?: number) => `order-${orderId}-capture${attemptSuffix(attempt)}`,
  void: (orderId: string, attempt?: number) => `order-${orderId}-void${attemptSuffix(attempt)}`,
  refund: (orderId: string, sequence: number) => `order-${orderId}-refund-${sequence}`,
};
