import type Stripe from 'stripe';
import { getSecret } from '../../commons/secrets';
import { config } from '../../commons/config';
import {
  idempotencyKeys,
  PaymentStateError,
  PaymentUnavailableError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type CardDetails,
  type IntentSnapshot,
  type IntentStatus,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
} from '../../payments/gateway';
import { stripeErrors, stripeSdk } from './stripe-sdk';

/**
 * Stripe adapter of the payment gateway port: PaymentIntents with manual capture, confirmed server-side with
 * the payment method id the storefront got from Stripe.js (card numbers never reach this service).
 */
export interface StripeGatewayOptions {
  /** Tests point the real SDK at a local server: { host: 'localhost', port, protocol: 'http' }. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /**
   * The SDK retries connection errors, 409s and 5xx itself with the same Idempotency-Key. Kept small (1):
   * it absorbs a network blip inside one invocation, while Step Functions' Retry (with backoff) handles
   * longer outages of the workflow steps. API handlers (refund, cancel) have no outer retry, so not 0.
   */
  maxNetworkRetries?: number;
  /**
   * Request timeout; with one network retry, 2 × 6 s stays inside the 15 s of an API handler (refund, cancel),
   * so a hung call becomes PaymentUnavailable (reconciled next time), not a killed function.
   */
  timeoutMs?: number;
}

const errors = stripeErrors;
export const STRIPE_REQUEST_TIMEOUT_MS = 6000;

export class StripeGateway implements PaymentGateway {
  readonly provider = 'stripe' as const;
  /** Stripe's search is eventually consistent: an intent can take up to a minute to appear in it. */
  readonly lookupLagMs: number = 60_000;
  private readonly stripe: Stripe;

  constructor(secretKey: string, options: StripeGatewayOptions = {}) {
    this.stripe = new (stripeSdk())(secretKey, {
      maxNetworkRetries: options.maxNetworkRetries ?? 1,
      timeout: options.timeoutMs ?? STRIPE_REQUEST_TIMEOUT_MS,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.protocol ? { protocol: options.protocol } : {}),
      appInfo: { name: 'order-service' },
    });
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const idempotencyKey = idempotencyKeys.authorize(request.orderId, request.attempt);
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amount.amount,
          currency: request.amount.currency.toLowerCase(),
          capture_method: 'manual',
          confirm: true,
          payment_method: request.paymentMethodId,
          // Server-side confirm without a return_url: no redirect-based methods (the API version this SDK pins
          // no longer takes payment_method_types; this is Stripe's documented way for server-side confirm).
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { orderId: request.orderId },
          ...(request.customerRef ? { customer: request.customerRef } : {}),
          expand: ['latest_charge'],
        },
        { idempotencyKey },
      );
    } catch (error) {
      const declined = declineFrom(error);
      if (declined) return declined;
      throw mapError(error, 'authorize');
    }

    if (intent.status === 'requires_capture' || intent.status === 'succeeded') {
      const { card, captureBefore } = await this.chargeFacts(intent);
      return { outcome: 'authorized', intentId: intent.id, status: intent.status as IntentStatus, card, ...(captureBefore ? { captureBefore } : {}) };
    }
    if (intent.status === 'requires_action') {
      // 3-D Secure: the storefront finishes it in the browser with stripe.handleNextAction({ clientSecret });
      // the outcome arrives as payment_intent.amount_capturable_updated / payment_failed (or by polling).
      if (!intent.client_secret) throw new PaymentUnavailableError('Stripe returned requires_action without a client secret.', 'api_error');
      return { outcome: 'action_required', intentId: intent.id, nextAction: { type: 'use_stripe_sdk', clientSecret: intent.client_secret } };
    }
    const lastError = intent.last_payment_error;
    return {
      outcome: 'declined',
      intentId: intent.id,
      declineCode: lastError?.decline_code ?? lastError?.code ?? `intent_${intent.status}`,
      message: lastError?.message ?? `The payment ended in status ${intent.status}.`,
    };
  }

  /** The order's intents by the metadata every create carries; the live one answers for the order. */
  async findAuthorization(orderId: string): Promise<AuthorizeResult | undefined> {
    let found: Stripe.PaymentIntent[];
    try {
      const page = await this.stripe.paymentIntents.search({ query: `metadata['orderId']:'${orderId}'`, limit: 10 });
      found = page.data;
    } catch (error) {
      throw mapError(error, 'search');
    }
    const live = found.find((intent) => intent.status === 'requires_capture' || intent.status === 'succeeded');
    if (live) {
      const { card, captureBefore } = await this.chargeFacts(live);
      return { outcome: 'authorized', intentId: live.id, status: live.status as IntentStatus, card, ...(captureBefore ? { captureBefore } : {}) };
    }
    const waiting = found.find((intent) => intent.status === 'requires_action' && intent.client_secret);
    if (waiting) return { outcome: 'action_required', intentId: waiting.id, nextAction: { type: 'use_stripe_sdk', clientSecret: waiting.client_secret! } };
    const declined = found.find((intent) => intent.status === 'requires_payment_method' && intent.last_payment_error);
    if (declined) {
      const lastError = declined.last_payment_error!;
      return { outcome: 'declined', intentId: declined.id, declineCode: lastError.decline_code ?? lastError.code ?? 'card_declined', message: lastError.message ?? 'declined' };
    }
    return undefined;
  }

  /** With the latest charge expanded: after 3-D Secure the card and `capture_before` are read from it. */
  async retrieve(intentId: string): Promise<IntentSnapshot> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    } catch (error) {
      throw mapError(error, 'retrieve');
    }
    const base = snapshot(intent);
    const charge = typeof intent.latest_charge === 'object' && intent.latest_charge ? intent.latest_charge : undefined;
    const facts = charge?.payment_method_details?.card ? cardFacts(charge) : undefined;
    const lastError = intent.last_payment_error;
    return {
      ...base,
      ...(facts ? { card: facts.card, ...(facts.captureBefore ? { captureBefore: facts.captureBefore } : {}) } : {}),
      ...(lastError ? { declineCode: lastError.code === 'payment_intent_authentication_failure' ? 'authentication_failed' : (lastError.decline_code ?? lastError.code ?? 'card_declined') } : {}),
    };
  }

  async capture(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot> {
    try {
      const intent = await this.stripe.paymentIntents.capture(intentId, {}, { idempotencyKey: idempotencyKeys.capture(orderId, attempt) });
      return snapshot(intent);
    } catch (error) {
      // Already captured (e.g. after the 24 h idempotency window): reconcile from the intent itself.
      if (isUnexpectedState(error)) return this.expectStatus(intentId, 'succeeded', 'capture');
      throw mapError(error, 'capture');
    }
  }

  async cancel(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot> {
    try {
      const intent = await this.stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: idempotencyKeys.void(orderId, attempt) });
      return snapshot(intent);
    } catch (error) {
      if (isUnexpectedState(error)) return this.expectStatus(intentId, 'canceled', 'cancel');
      throw mapError(error, 'cancel');
    }
  }

  async refund(orderId: string, intentId: string, request: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: intentId,
          ...(request.amount !== undefined ? { amount: request.amount } : {}),
          metadata: { orderId, sequence: String(request.sequence) },
        },
        { idempotencyKey: idempotencyKeys.refund(orderId, request.sequence) },
      );
      return { refundId: refund.id, amount: refund.amount, status: (refund.status ?? 'pending') as RefundResult['status'] };
    } catch (error) {
      if (error instanceof errors.StripeInvalidRequestError && error.code === 'charge_already_refunded') {
        throw new PaymentStateError('The payment is already fully refunded at Stripe.', 'succeeded');
      }
      throw mapError(error, 'refund');
    }
  }

  private async expectStatus(intentId: string, wanted: IntentStatus, operation: string): Promise<IntentSnapshot> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(intentId);
    } catch (error) {
      throw mapError(error, operation);
    }
    if (intent.status === wanted) return snapshot(intent);
    throw new PaymentStateError(`Cannot ${operation} a PaymentIntent in status ${intent.status}.`, intent.status as IntentStatus);
  }

  /** Brand, last 4, expiry and `capture_before` from the latest charge; nothing else about the card is read. */
  private async chargeFacts(intent: Stripe.PaymentIntent): Promise<{ card: CardDetails; captureBefore?: string }> {
    let charge = intent.latest_charge;
    if (typeof charge === 'string') {
      try {
        charge = await this.stripe.charges.retrieve(charge);
      } catch (error) {
        throw mapError(error, 'authorize');
      }
    }
    return cardFacts(charge ?? undefined);
  }
}

function cardFacts(charge: Stripe.Charge | undefined): { card: CardDetails; captureBefore?: string } {
  const card = charge?.payment_method_details?.card;
  if (!card) return { card: { brand: 'unknown', last4: '', expMonth: 0, expYear: 0 } };
  // capture_before: Unix seconds until which the authorization can be captured (Stripe's card payment method details).
  const captureBefore = typeof card.capture_before === 'number' ? new Date(card.capture_before * 1000).toISOString() : undefined;
  return { card: { brand: card.brand ?? 'unknown', last4: card.last4 ?? '', expMonth: card.exp_month, expYear: card.exp_year }, ...(captureBefore ? { captureBefore } : {}) };
}

function snapshot(intent: Stripe.PaymentIntent): IntentSnapshot {
  return {
    intentId: intent.id,
    status: intent.status as IntentStatus,
    amount: intent.amount,
    amountCaptured: intent.amount_received ?? 0,
    currency: intent.currency.toUpperCase(),
  };
}

/** Card declines (402 card_error) and unusable payment methods are outcomes, not failures. */
function declineFrom(error: unknown): AuthorizeResult | undefined {
  if (error instanceof errors.StripeCardError) {
    return {
      outcome: 'declined',
      intentId: error.payment_intent?.id,
      declineCode: error.decline_code ?? error.code ?? 'card_declined',
      message: error.message,
    };
  }
  // A payment method id that does not exist or cannot be used: retrying will not help (SPEC: invalid_payment_method).
  if (
    error instanceof errors.StripeInvalidRequestError &&
    (error.param === 'payment_method' || error.code === 'payment_method_unactivated' || error.code === 'payment_method_invalid_parameter')
  ) {
    return { outcome: 'declined', intentId: error.payment_intent?.id, declineCode: 'invalid_payment_method', message: error.message };
  }
  return undefined;
}

function isUnexpectedState(error: unknown): boolean {
  return error instanceof errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state';
}

/**
 * Provider-side and transport failures become PaymentUnavailableError (retried by Step Functions, then
 * PAYMENT_ERROR). Authentication/permission errors are a misconfiguration, but from the order's point of
 * view the provider is unusable too, so they map the same way (and are logged by the caller). Other invalid
 * requests are bugs and propagate unchanged.
 */
function mapError(error: unknown, operation: string): Error {
  if (
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeAPIError ||
    error instanceof errors.StripeRateLimitError ||
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripePermissionError ||
    // 409: another request with the same Idempotency-Key is still in flight.
    (error instanceof errors.StripeError && ((error.statusCode ?? 0) >= 500 || error.statusCode === 409 || error.statusCode === 429))
  ) {
    const stripeError = error as InstanceType<typeof errors.StripeError>;
    return new PaymentUnavailableError(`Stripe ${operation} failed: ${stripeError.type} (${stripeError.statusCode ?? 'no response'})`, stripeError.type);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** One client per execution environment and secret value; the secret itself is cached by Powertools. */
let cached: { key: string; gateway: StripeGateway } | undefined;

/** The Stripe secret: env locally, Secrets Manager on AWS (cached 5 minutes, so rotation is picked up). */
export async function stripeSecretKey(): Promise<string | undefined> {
  const local = config.stripeSecretKey();
  if (local) return local;
  const arn = config.stripeSecretArn();
  if (!arn) return undefined;
  const value = await getSecret(arn, { maxAge: 300 });
  const key = typeof value === 'string' ? value.trim() : '';
  // The stack creates the secret with a random placeholder; until an operator stores a real key, fail fast
  // and say so rather than sending Stripe a key it will reject (or silently falling back to the sandbox).
  if (!/^(sk|rk)_(test|live)_/.test(key)) {
    throw new PaymentUnavailableError('The Stripe secret in Secrets Manager is not a Stripe API key yet (see docs/payments.md).', 'configuration');
  }
  return key;
}

/**
 * STRIPE_API_BASE points the SDK at a Stripe-compatible server instead of api.stripe.com (stripe-mock, or the
 * tests' fake); unset on AWS.
 */
function apiBase(): StripeGatewayOptions {
  const base = process.env.STRIPE_API_BASE;
  if (!base) return {};
  const url = new URL(base);
  return { host: url.hostname, port: Number(url.port) || undefined, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}

export async function stripeGateway(): Promise<StripeGateway | undefined> {
  const key = await stripeSecretKey();
  if (!key) return undefined;
  if (cached?.key !== key) cached = { key, gateway: new StripeGateway(key, apiBase()) };
  return cached.gateway;
}
