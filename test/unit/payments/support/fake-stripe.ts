import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers like Stripe's API for the calls this service makes (PaymentIntents create,
 * capture, cancel, retrieve; charges retrieve; refunds create), so the adapter is tested with the real SDK:
 * form encoding, headers, retries and error classes are the SDK's own.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded form body: `metadata[orderId]` stays a flat key, as Stripe's API receives it. */
  params: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Responder = (request: RecordedRequest) => FakeResponse | undefined;

/** What Stripe's test cards look like on a charge: more than this service may keep, on purpose. */
export const testCards: Record<string, { brand: string; last4: string }> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
};

const cardDeclines: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
};

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly intents = new Map<string, Record<string, unknown>>();
  private readonly overrides: Responder[] = [];
  private server?: Server;
  private counter = 0;
  port = 0;
  /** What the customer did in the browser with a requires_action intent (Stripe.js handleNextAction). */
  completeAction(intentId: string, outcome: 'approve' | 'decline'): Record<string, unknown> {
    const intent = this.intents.get(intentId)!;
    if (outcome === 'approve') {
      Object.assign(intent, { status: 'requires_capture', amount_capturable: intent.amount, next_action: null, latest_charge: charge(`ch_${intentId}`, intentId, 'pm_card_visa', intent.amount as number, intent.currency as string) });
    } else {
      Object.assign(intent, {
        status: 'requires_payment_method',
        next_action: null,
        last_payment_error: { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'We are unable to authenticate your payment method.' },
      });
    }
    return intent;
  }

  /** Extra fields put on every charge's card, e.g. to prove the adapter copies nothing beyond the allowed four. */
  extraCardFields: Record<string, unknown> = {};

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The next matching request gets this answer instead (first responder returning a value wins, once). */
  respondOnce(responder: Responder): void {
    const once: Responder = (request) => {
      const answer = responder(request);
      if (answer) this.overrides.splice(this.overrides.indexOf(once), 1);
      return answer;
    };
    this.overrides.push(once);
  }

  /** Every matching request gets this answer until reset(). */
  respondAlways(responder: Responder): void {
    this.overrides.push(responder);
  }

  reset(): void {
    this.requests.length = 0;
    this.overrides.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[key] = value;
    for (const [key, value] of url.searchParams) params[key] = value;
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, params };
    this.requests.push(request);

    let answer: FakeResponse | undefined;
    for (const responder of [...this.overrides]) {
      answer = responder(request);
      if (answer) break;
    }
    answer ??= this.route(request);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': `req_${++this.counter}`, ...(answer.headers ?? {}) });
    res.end(JSON.stringify(answer.body));
  }

  private route(request: RecordedRequest): FakeResponse {
    const { method, path, params } = request;
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(params);
    if (method === 'GET' && path === '/v1/payment_intents/search') {
      // Only the query this service sends: metadata['orderId']:'<id>'.
      const orderId = /metadata\['orderId'\]:'([^']+)'/.exec(params.query ?? '')?.[1];
      const data = [...this.intents.values()].filter((i) => (i.metadata as Record<string, string>).orderId === orderId);
      return { status: 200, body: { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/payment_intents/search' } };
    }
    let match = path.match(/^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/);
    if (match) {
      const intent = this.intents.get(match[1]);
      if (!intent) return errorResponse(404, 'invalid_request_error', 'resource_missing', `No such payment_intent: '${match[1]}'`);
      if (method === 'GET') return { status: 200, body: intent };
      if (match[2] === 'capture') {
        if (intent.status !== 'requires_capture') return unexpectedState(intent, 'capture');
        Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, amount_capturable: 0 });
        return { status: 200, body: intent };
      }
      if (match[2] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled') return unexpectedState(intent, 'cancel');
        Object.assign(intent, { status: 'canceled', cancellation_reason: null, amount_capturable: 0 });
        return { status: 200, body: intent };
      }
    }
    match = path.match(/^\/v1\/charges\/([^/]+)$/);
    if (match && method === 'GET') return { status: 200, body: charge(match[1], params.payment_intent ?? 'pi_x', 'pm_card_visa', 1000, 'usd') };
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = this.intents.get(params.payment_intent);
      if (!intent) return errorResponse(404, 'invalid_request_error', 'resource_missing', 'No such payment_intent');
      const amount = Number(params.amount ?? intent.amount);
      return {
        status: 200,
        body: { id: `re_${++this.counter}`, object: 'refund', amount, currency: intent.currency, payment_intent: intent.id, status: 'succeeded', metadata: {} },
      };
    }
    return errorResponse(404, 'invalid_request_error', 'resource_missing', `Unrecognized request URL (${method}: ${path})`);
  }

  private createIntent(params: Record<string, string>): FakeResponse {
    const id = `pi_${++this.counter}`;
    const pm = params.payment_method;
    const amount = Number(params.amount);
    const base = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: params.currency,
      capture_method: params.capture_method,
      confirmation_method: 'automatic',
      payment_method: pm,
      metadata: { orderId: params['metadata[orderId]'] },
      last_payment_error: null,
      latest_charge: null as unknown,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    const card = testCards[pm];
    if (card) {
      const intent = { ...base, status: 'requires_capture', amount_capturable: amount, latest_charge: charge(`ch_${id}`, id, pm, amount, params.currency, this.extraCardFields) };
      this.intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const decline = cardDeclines[pm];
    if (decline) {
      const intent = { ...base, status: 'requires_payment_method', last_payment_error: { type: 'card_error', ...decline } };
      this.intents.set(id, intent);
      return { status: 402, body: { error: { type: 'card_error', ...decline, charge: `ch_${id}`, payment_intent: intent } } };
    }
    if (pm === 'pm_card_authenticationRequired' || pm === 'pm_card_threeDSecure2Required') {
      // Stripe's shape: next_action.type use_stripe_sdk, and the client secret the storefront hands to Stripe.js.
      const intent = { ...base, status: 'requires_action', client_secret: `${id}_secret_fake`, next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } } };
      this.intents.set(id, intent);
      return { status: 200, body: intent };
    }
    return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${pm}'` } } };
  }
}

/** 2026-12-09T00:00:00Z, the capture_before every fake charge carries. */
export const CAPTURE_BEFORE = Date.UTC(2026, 11, 9) / 1000;

function charge(id: string, intentId: string, pm: string, amount: number, currency: string, extraCardFields: Record<string, unknown> = {}) {
  const card = testCards[pm] ?? testCards.pm_card_visa;
  return {
    id,
    object: 'charge',
    amount,
    amount_captured: 0,
    amount_refunded: 0,
    currency,
    payment_intent: intentId,
    payment_method: pm,
    payment_method_details: {
      type: 'card',
      card: {
        brand: card.brand,
        last4: card.last4,
        exp_month: 8,
        exp_year: 2031,
        // Unix seconds: the end of the authorization's validity (7 days for most online card payments).
        capture_before: CAPTURE_BEFORE,
        // Present on real charges; the adapter must not copy any of these.
        fingerprint: 'Xt5EWLLDS7FJjR1c',
        funding: 'credit',
        country: 'US',
        network: card.brand,
        checks: { cvc_check: 'pass', address_line1_check: null, address_postal_code_check: null },
        ...extraCardFields,
      },
    },
  };
}

export const errorResponse = (status: number, type: string, code: string | undefined, message: string, extra: Record<string, unknown> = {}): FakeResponse => ({
  status,
  body: { error: { type, ...(code ? { code } : {}), message, ...extra } },
});

const unexpectedState = (intent: Record<string, unknown>, action: string) =>
  errorResponse(400, 'invalid_request_error', 'payment_intent_unexpected_state', `This PaymentIntent could not be ${action}d because it has a status of ${intent.status}.`, {
    payment_intent: intent,
  });
