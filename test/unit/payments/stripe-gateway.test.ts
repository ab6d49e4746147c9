import { createServer } from 'node:net';
import { StripeGateway } from '../../../functions/adapters/payments/stripe-gateway';
import { PaymentStateError, PaymentUnavailableError } from '../../../functions/payments/gateway';
import { CAPTURE_BEFORE, errorResponse, FakeStripe } from './support/fake-stripe';

const gatewayFor = (fake: FakeStripe, maxNetworkRetries = 0) =>
  new StripeGateway('sk_test_fake', { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries });

const order = { orderId: 'ord_123', amount: { amount: 4599, currency: 'EUR' }, paymentMethodId: 'pm_card_visa' };

describe('StripeGateway with the real stripe SDK against a fake Stripe API', () => {
  const fake = new FakeStripe();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());
  afterEach(() => {
    // Every call this service makes to Stripe carries its own idempotency key.
    for (const request of fake.requests.filter((r) => r.method === 'POST')) {
      expect(request.headers['idempotency-key']).toMatch(/^order-ord_123-(authorize|capture|void|refund)(-\d+)?$/);
    }
  });

  it('authorizes with a manual-capture, confirmed PaymentIntent and keeps only brand, last 4 and expiry', async () => {
    const result = await gatewayFor(fake).authorize(order);

    expect(result).toEqual({
      outcome: 'authorized',
      intentId: expect.stringMatching(/^pi_/),
      status: 'requires_capture',
      card: { brand: 'visa', last4: '4242', expMonth: 8, expYear: 2031 },
      // The charge's payment_method_details.card.capture_before (Unix seconds) as an ISO time.
      captureBefore: new Date(CAPTURE_BEFORE * 1000).toISOString(),
    });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/payment_intents');
    expect(request.headers['idempotency-key']).toBe('order-ord_123-authorize');
    expect(request.headers.authorization).toBe('Bearer sk_test_fake');
    expect(request.params).toMatchObject({
      amount: '4599',
      currency: 'eur',
      capture_method: 'manual',
      confirm: 'true',
      payment_method: 'pm_card_visa',
      'metadata[orderId]': 'ord_123',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      'expand[0]': 'latest_charge',
    });
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
  ])('maps a card error for %s to a declined outcome with decline code %s', async (paymentMethodId, declineCode) => {
    const result = await gatewayFor(fake).authorize({ ...order, paymentMethodId });
    expect(result).toEqual({ outcome: 'declined', intentId: expect.stringMatching(/^pi_/), declineCode, message: expect.any(String) });
  });

  it('maps an unknown payment method to invalid_payment_method (a retry cannot help)', async () => {
    const result = await gatewayFor(fake).authorize({ ...order, paymentMethodId: 'pm_does_not_exist' });
    expect(result).toMatchObject({ outcome: 'declined', declineCode: 'invalid_payment_method' });
  });

  it.each(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required'])(
    'returns action_required with use_stripe_sdk and the client secret for %s, and leaves the intent open',
    async (paymentMethodId) => {
      const result = await gatewayFor(fake).authorize({ ...order, paymentMethodId });
      expect(result).toEqual({
        outcome: 'action_required',
        intentId: expect.stringMatching(/^pi_/),
        nextAction: { type: 'use_stripe_sdk', clientSecret: expect.stringMatching(/^pi_\d+_secret_/) },
      });
      // Nothing cancelled: the customer finishes 3-D Secure in the browser.
      expect(fake.requests.filter((r) => r.path.endsWith('/cancel'))).toEqual([]);
    },
  );

  it('reads the outcome of 3-D Secure from the intent: approved (with capture_before) or refused', async () => {
    const gateway = gatewayFor(fake);
    const approved = await gateway.authorize({ ...order, paymentMethodId: 'pm_card_authenticationRequired' });
    const refused = await gateway.authorize({ ...order, paymentMethodId: 'pm_card_threeDSecure2Required' });
    if (approved.outcome !== 'action_required' || refused.outcome !== 'action_required') throw new Error('expected action_required');
    expect(await gateway.retrieve(approved.intentId)).toMatchObject({ status: 'requires_action' });

    fake.completeAction(approved.intentId, 'approve');
    fake.completeAction(refused.intentId, 'decline');
    const after = await gateway.retrieve(approved.intentId);
    expect(after).toMatchObject({ status: 'requires_capture', captureBefore: '2026-12-09T00:00:00.000Z', card: { brand: 'visa', last4: '4242' } });
    expect(await gateway.retrieve(refused.intentId)).toMatchObject({ status: 'requires_payment_method', declineCode: 'authentication_failed' });
    const retrieve = fake.requests.find((r) => r.method === 'GET' && r.path === `/v1/payment_intents/${approved.intentId}`);
    expect(retrieve?.params).toMatchObject({ 'expand[0]': 'latest_charge' });
  });

  it('finds a 3-D Secure intent still waiting when reconciling an unknown authorize outcome', async () => {
    const gateway = gatewayFor(fake);
    // The fake keeps intents across tests: search only finds this order's (the search key is the order id).
    fake.intents.clear();
    await gateway.authorize({ ...order, paymentMethodId: 'pm_card_authenticationRequired' });
    expect(await gateway.findAuthorization('ord_123')).toMatchObject({ outcome: 'action_required', nextAction: { type: 'use_stripe_sdk' } });
  });

  it('maps a 500 to PaymentUnavailable after the SDK retried with the same idempotency key', async () => {
    fake.respondAlways(() => errorResponse(500, 'api_error', undefined, 'Something went wrong on Stripe'));
    const error = await gatewayFor(fake, 1).authorize(order).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentUnavailableError);
    expect((error as Error).name).toBe('PaymentUnavailable');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.map((r) => r.headers['idempotency-key'])).toEqual(['order-ord_123-authorize', 'order-ord_123-authorize']);
  });

  it('maps 429 rate limiting to PaymentUnavailable', async () => {
    fake.respondAlways(() => errorResponse(429, 'invalid_request_error', 'rate_limit', 'Too many requests'));
    await expect(gatewayFor(fake).authorize(order)).rejects.toBeInstanceOf(PaymentUnavailableError);
  });

  it('maps a refused connection to PaymentUnavailable', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const gateway = new StripeGateway('sk_test_fake', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
    const error = await gateway.authorize(order).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentUnavailableError);
  });

  it('does not hide programming errors (other invalid requests) as transient', async () => {
    fake.respondOnce(() => errorResponse(400, 'invalid_request_error', 'parameter_invalid_integer', 'Invalid integer: amount', { param: 'amount' }));
    const error = await gatewayFor(fake).authorize(order).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PaymentUnavailableError);
    expect((error as Error).message).toMatch(/Invalid integer/);
  });

  it('captures and voids with their own idempotency keys', async () => {
    const gateway = gatewayFor(fake);
    const first = await gateway.authorize(order);
    if (first.outcome !== 'authorized') throw new Error('expected authorization');
    const captured = await gateway.capture('ord_123', first.intentId);
    expect(captured).toMatchObject({ intentId: first.intentId, status: 'succeeded', amountCaptured: 4599, currency: 'EUR' });
    const capture = fake.requests.find((r) => r.path === `/v1/payment_intents/${first.intentId}/capture`)!;
    expect(capture.headers['idempotency-key']).toBe('order-ord_123-capture');

    const second = await gateway.authorize(order);
    if (second.outcome !== 'authorized') throw new Error('expected authorization');
    const voided = await gateway.cancel('ord_123', second.intentId);
    expect(voided.status).toBe('canceled');
    const cancel = fake.requests.find((r) => r.path === `/v1/payment_intents/${second.intentId}/cancel`)!;
    expect(cancel.headers['idempotency-key']).toBe('order-ord_123-void');
  });

  it('treats capturing an already captured intent as done (reconciles from the intent)', async () => {
    const gateway = gatewayFor(fake);
    const authorized = await gateway.authorize(order);
    if (authorized.outcome !== 'authorized') throw new Error('expected authorization');
    await gateway.capture('ord_123', authorized.intentId);
    const again = await gateway.capture('ord_123', authorized.intentId);
    expect(again).toMatchObject({ status: 'succeeded', amountCaptured: 4599 });
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/v1/payment_intents/${authorized.intentId}`)).toBe(true);
  });

  it('refuses to void a captured intent with a PaymentStateError', async () => {
    const gateway = gatewayFor(fake);
    const authorized = await gateway.authorize(order);
    if (authorized.outcome !== 'authorized') throw new Error('expected authorization');
    await gateway.capture('ord_123', authorized.intentId);
    await expect(gateway.cancel('ord_123', authorized.intentId)).rejects.toBeInstanceOf(PaymentStateError);
  });

  it('numbers refunds in the idempotency key: distinct partial refunds differ, a retry repeats its key', async () => {
    const gateway = gatewayFor(fake);
    const authorized = await gateway.authorize(order);
    if (authorized.outcome !== 'authorized') throw new Error('expected authorization');
    await gateway.capture('ord_123', authorized.intentId);

    const one = await gateway.refund('ord_123', authorized.intentId, { amount: 1000, sequence: 1 });
    await gateway.refund('ord_123', authorized.intentId, { amount: 1000, sequence: 1 });
    await gateway.refund('ord_123', authorized.intentId, { amount: 500, sequence: 2 });

    expect(one).toMatchObject({ amount: 1000, status: 'succeeded', refundId: expect.stringMatching(/^re_/) });
    const refunds = fake.requests.filter((r) => r.path === '/v1/refunds');
    expect(refunds.map((r) => r.headers['idempotency-key'])).toEqual(['order-ord_123-refund-1', 'order-ord_123-refund-1', 'order-ord_123-refund-2']);
    expect(refunds[2].params).toMatchObject({ payment_intent: authorized.intentId, amount: '500', 'metadata[orderId]': 'ord_123' });
  });
});
