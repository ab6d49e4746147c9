import { StripeGateway } from '../../../functions/adapters/payments/stripe-gateway';
import { PaymentUnavailableError } from '../../../functions/payments/gateway';
import { authorizeOrderPayment, captureOrderPayment, usePaymentGateway } from '../../../functions/payments/service';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { useIsolatedTables } from '../../support/dynamo';
import { errorResponse, FakeStripe, type RecordedRequest } from '../../unit/payments/support/fake-stripe';
import { createOrder } from './support/fixtures';

/**
 * A provider call whose outcome is unknown (a 5xx, a timeout) is never simply retried under the same key:
 * Stripe keeps a key's first answer for 24 h, a 500 included. The service reads the real state first
 * (search by metadata, retrieve), records what happened, and only then tries again under a fresh key.
 */
useIsolatedTables();
const fake = new FakeStripe();

/** Stripe's search lags; here the test decides that the lag has passed. */
class TestStripe extends StripeGateway {
  override readonly lookupLagMs = 0;
}

beforeAll(async () => {
  await fake.start();
  usePaymentGateway(new TestStripe('sk_test_fake', { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 }));
});
afterAll(async () => {
  usePaymentGateway(undefined);
  await fake.stop();
});
beforeEach(() => fake.reset());

const key = (r: RecordedRequest) => String(r.headers['idempotency-key']);
const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
/** Stripe's idempotency: a key that once answered 500 answers 500 again, forever (for 24 h). */
function failKeyForever(pathPattern: RegExp, idempotencyKey: string) {
  fake.respondAlways((r) => (r.method === 'POST' && pathPattern.test(r.path) && key(r) === idempotencyKey ? errorResponse(500, 'api_error', undefined, 'An unknown error occurred') : undefined));
}

it('a 500 that authorized nothing: reconciled (nothing found), then authorized once under a fresh key', async () => {
  const order = await createOrder();
  failKeyForever(/^\/v1\/payment_intents$/, `order-${order.id}-authorize`);
  await expect(authorizeOrderPayment(order)).rejects.toBeInstanceOf(PaymentUnavailableError);
  expect((await paymentStore.get(order.id))?.attempts).toEqual({ authorize: 1 });

  const outcome = await authorizeOrderPayment(order);
  expect(outcome.outcome).toBe('authorized');
  // The search came before the new create, and the new create used the next key.
  const searchAt = fake.requests.findIndex((r) => r.path === '/v1/payment_intents/search');
  const secondCreate = fake.requests.indexOf(creates()[1]!);
  expect(searchAt).toBeGreaterThan(-1);
  expect(searchAt).toBeLessThan(secondCreate);
  expect(creates().map(key)).toEqual([`order-${order.id}-authorize`, `order-${order.id}-authorize-2`]);
  expect([...fake.intents.values()].filter((i) => (i.metadata as { orderId: string }).orderId === order.id)).toHaveLength(1);
});

it('an authorization made but answered with a 500: found by the search and recorded, never made twice', async () => {
  const order = await createOrder();
  // Stripe created the intent, then the answer was lost as a 500.
  let lose = true;
  fake.respondAlways((r) => {
    if (!lose || r.method !== 'POST' || r.path !== '/v1/payment_intents') return undefined;
    lose = false;
    (fake as unknown as { createIntent: (p: Record<string, string>) => unknown }).createIntent(r.params);
    return errorResponse(500, 'api_error', undefined, 'An unknown error occurred');
  });
  await expect(authorizeOrderPayment(order)).rejects.toBeInstanceOf(PaymentUnavailableError);
  const outcome = await authorizeOrderPayment(order);
  expect(outcome).toMatchObject({ outcome: 'authorized', payment: { brand: 'visa', last4: '4242' } });
  expect(creates()).toHaveLength(1);
  expect([...fake.intents.values()].filter((i) => (i.metadata as { orderId: string }).orderId === order.id)).toHaveLength(1);
});

it('a capture answered with a 500: the intent is read first, then captured once under the next key', async () => {
  const order = await createOrder();
  await authorizeOrderPayment(order);
  failKeyForever(/\/capture$/, `order-${order.id}-capture`);
  await expect(captureOrderPayment(order.id)).rejects.toBeInstanceOf(PaymentUnavailableError);
  const payment = await captureOrderPayment(order.id);
  expect(payment.status).toBe('captured');
  const captures = fake.requests.filter((r) => r.path.endsWith('/capture'));
  expect(captures.map(key)).toEqual([`order-${order.id}-capture`, `order-${order.id}-capture-2`]);
  const retrieve = fake.requests.findIndex((r) => r.method === 'GET' && /^\/v1\/payment_intents\/pi_/.test(r.path));
  expect(retrieve).toBeLessThan(fake.requests.indexOf(captures[1]!));
});

it('a capture that went through but whose answer was lost is recorded from the intent, not repeated', async () => {
  const order = await createOrder();
  await authorizeOrderPayment(order);
  let lose = true;
  fake.respondAlways((r) => {
    if (!lose || !r.path.endsWith('/capture')) return undefined;
    lose = false;
    const intent = fake.intents.get(r.path.split('/')[3]!)!;
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount });
    return errorResponse(500, 'api_error', undefined, 'An unknown error occurred');
  });
  await expect(captureOrderPayment(order.id)).rejects.toBeInstanceOf(PaymentUnavailableError);
  const payment = await captureOrderPayment(order.id);
  expect(payment).toMatchObject({ status: 'captured' });
  expect(fake.requests.filter((r) => r.path.endsWith('/capture'))).toHaveLength(1);
  expect((await paymentStore.get(order.id))?.amountCaptured).toBe(5000);
});
