import type { Money } from '../domain/money';

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
}

export type AuthorizeResult =
  | { outcome: 'authorized'; intentId: string; status: IntentStatus; card: CardDetails }
  | { outcome: 'declined'; intentId?: string; declineCode: string; message: string };

/** The state of an intent after capture or cancel. Amounts in minor units. */
export interface IntentSnapshot {
  intentId: string;
  status: IntentStatus;
  amount: number;
  amountCaptured: number;
  currency: string;
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
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(orderId: string, intentId: string): Promise<IntentSnapshot>;
  /** Void an uncaptured authorization (Stripe: cancel the PaymentIntent). */
  cancel(orderId: string, intentId: string): Promise<IntentSnapshot>;
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

/** Idempotency keys: one per order and step. Refunds are numbered so distinct partial refunds both happen. */
export const idempotencyKeys = {
  authorize: (orderId: string) => `order-${orderId}-authorize`,
  capture: (orderId: string) => `order-${orderId}-capture`,
  void: (orderId: string) => `order-${orderId}-void`,
  refund: (orderId: string, sequence: number) => `order-${orderId}-refund-${sequence}`,
};
