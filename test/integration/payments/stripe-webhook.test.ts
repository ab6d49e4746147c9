import Stripe from 'stripe';
import { useIsolatedTables } from '../../support/dynamo';
import { orderStore } from '../../../functions/adapters/order-store';
import { authorizeOrderPayment } from '../../../functions/payments/service';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { handler } from '../../../functions/api/stripe-webhook';
import { createOrder, invoke, scanTable } from './support/fixtures';

useIsolatedTables();

const secret = 'whsec_test_secret_for_payments';
process.env.STRIPE_WEBHOOK_SECRET = secret;
const stripe = new Stripe('sk_test_unused');
let counter = 0;

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${Date.now()}_${++counter}`) {
  return { id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null }, type, data: { object } };
}

const intentObject = (intentId: string, orderId: string | undefined, over: Record<string, unknown> = {}) => ({
  id: intentId,
  object: 'payment_intent',
  amount: 5000,
  amount_received: 0,
  currency: 'usd',
  status: 'requires_capture',
  metadata: orderId ? { orderId } : {},
  last_payment_error: null,
  ...over,
});

const chargeObject = (intentId: string, amountRefunded: number) => ({
  id: `ch_${intentId}`,
  object: 'charge',
  amount: 5000,
  amount_captured: 5000,
  amount_refunded: amountRefunded,
  refunded: amountRefunded === 5000,
  currency: 'usd',
  payment_intent: intentId,
  // Charges do not necessarily carry the intent's metadata: the handler finds the order by intent id.
  metadata: {},
});

async function deliver(event: object, options: { header?: string | null; timestamp?: number; body?: string; base64?: boolean } = {}) {
  const payload = JSON.stringify(event);
  const header =
    options.header === null ? undefined : (options.header ?? stripe.webhooks.generateTestHeaderString({ payload, secret, ...(options.timestamp ? { timestamp: options.timestamp } : {}) }));
  const body = options.body ?? payload;
  return invoke(handler, {
    method: 'POST',
    path: '/webhooks/stripe',
    headers: { 'content-type': 'application/json', ...(header ? { 'Stripe-Signature': header } : {}) },
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64,
  });
}

async function authorizedOrder() {
  const order = await createOrder();
  await authorizeOrderPayment(order);
  const record = (await paymentStore.get(order.id))!;
  return { order, intentId: record.intentId! };
}

describe('POST /webhooks/stripe: signature verification', () => {
  it.each([
    ['no Stripe-Signature header', { header: null }],
    ['a signature made with another secret', { header: stripe.webhooks.generateTestHeaderString({ payload: '{}', secret: 'whsec_other' }) }],
    ['a stale signature (10 minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 600 }],
    ['a body changed after signing', { body: 'TAMPERED' }],
    ['a garbage header', { header: 't=abc,v1=def' }],
  ])('rejects %s with 400 problem+json and changes nothing', async (_label, options) => {
    const { order, intentId } = await authorizedOrder();
    const before = await scanTable();
    const event = stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 }));
    const body = (options as { body?: string }).body === 'TAMPERED' ? JSON.stringify({ ...event, id: 'evt_tampered' }) : undefined;
    const response = await deliver(event, { ...options, ...(body ? { body } : {}) } as Parameters<typeof deliver>[1]);

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, type: '/problems/invalid-signature' });
    expect(await scanTable()).toEqual(before);
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an event without data.object', { id: 'evt_no_object', type: 'payment_intent.succeeded', data: {} }],
    ['an event with a non-object data.object', { id: 'evt_str', type: 'charge.refunded', data: { object: 'ch_1' } }],
    ['an event without a type', { id: 'evt_untyped', data: { object: { id: 'pi_1' } } }],
  ])('refuses a validly signed but malformed event (%s) with 400 and changes nothing', async (_label, event) => {
    await authorizedOrder();
    const before = await scanTable();
    const response = await deliver(event as object);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, type: '/problems/malformed-event' });
    expect(await scanTable()).toEqual(before);
  });

  it('accepts a base64-encoded body (API Gateway may deliver it so) and verifies the decoded bytes', async () => {
    const { order, intentId } = await authorizedOrder();
    const response = await deliver(stripeEvent('payment_intent.canceled', intentObject(intentId, order.id, { status: 'canceled' })), { base64: true });
    expect(response).toMatchObject({ statusCode: 200, body: { received: true, result: 'applied' } });
  });
});

describe('POST /webhooks/stripe: payment record updates', () => {
  it('payment_intent.succeeded captures the record and the order summary, with the event in the history', async () => {
    const { order, intentId } = await authorizedOrder();
    const response = await deliver(stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 })));
    expect(response).toMatchObject({ statusCode: 200, body: { result: 'applied' } });
    const record = await paymentStore.get(order.id);
    expect(record).toMatchObject({ status: 'captured', amountCaptured: 5000 });
    expect(record?.history.at(-1)).toMatchObject({ status: 'captured', source: 'stripe:payment_intent.succeeded' });
    expect((await orderStore.get(order.id))?.payment?.status).toBe('captured');
  });

  it('a duplicate event changes nothing', async () => {
    const { order, intentId } = await authorizedOrder();
    const event = stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 }));
    expect((await deliver(event)).body.result).toBe('applied');
    const afterFirst = await scanTable();
    const second = await deliver(event);
    expect(second).toMatchObject({ statusCode: 200, body: { received: true, result: 'duplicate' } });
    expect(await scanTable()).toEqual(afterFirst);
  });

  it('concurrent deliveries of one event apply it once', async () => {
    const { order, intentId } = await authorizedOrder();
    await deliver(stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 })));
    const event = stripeEvent('charge.refunded', chargeObject(intentId, 1000));
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(event)));
    expect(results.map((r) => r.body.result).sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    const record = await paymentStore.get(order.id);
    expect(record?.amountRefunded).toBe(1000);
    expect(record?.history.filter((h) => h.source === 'stripe:charge.refunded')).toHaveLength(1);
  });

  it('out-of-order events never regress the status: a late amount_capturable_updated after capture is ignored', async () => {
    const { order, intentId } = await authorizedOrder();
    await deliver(stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 })));
    const late = await deliver(stripeEvent('payment_intent.amount_capturable_updated', intentObject(intentId, order.id)));
    expect(late.body.result).toBe('unchanged');
    expect((await paymentStore.get(order.id))?.status).toBe('captured');
  });

  it('charge.refunded (no metadata) finds the order by intent: partial, then full', async () => {
    const { order, intentId } = await authorizedOrder();
    await deliver(stripeEvent('payment_intent.succeeded', intentObject(intentId, order.id, { status: 'succeeded', amount_received: 5000 })));
    await deliver(stripeEvent('charge.refunded', chargeObject(intentId, 2000)));
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: 2000 });
    await deliver(stripeEvent('charge.refunded', chargeObject(intentId, 5000)));
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    // An older refund event arriving last lowers nothing.
    expect((await deliver(stripeEvent('charge.refunded', chargeObject(intentId, 2000)))).body.result).toBe('unchanged');
    expect((await orderStore.get(order.id))?.payment).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
  });

  it('payment_intent.canceled voids; payment_failed after authorization changes nothing', async () => {
    const { order, intentId } = await authorizedOrder();
    const failed = await deliver(
      stripeEvent('payment_intent.payment_failed', intentObject(intentId, order.id, { status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } })),
    );
    expect(failed.body.result).toBe('unchanged');
    await deliver(stripeEvent('payment_intent.canceled', intentObject(intentId, order.id, { status: 'canceled' })));
    expect((await paymentStore.get(order.id))?.status).toBe('voided');
  });

  it('acknowledges events it does not act on (unknown intent, other types) without touching payments', async () => {
    const { order } = await authorizedOrder();
    const before = (await paymentStore.get(order.id))!;
    const unknown = await deliver(stripeEvent('payment_intent.succeeded', intentObject('pi_not_ours', undefined, { status: 'succeeded', amount_received: 5000 })));
    expect(unknown).toMatchObject({ statusCode: 200, body: { result: 'ignored' } });
    const otherType = await deliver(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(otherType).toMatchObject({ statusCode: 200, body: { result: 'ignored' } });
    expect(await paymentStore.get(order.id)).toEqual(before);
  });
});

describe('POST /webhooks/stripe: an authorization the charge step never saw', () => {
  it('is adopted by the failed record and voided, because the order already ended', async () => {
    const { SandboxGateway } = await import('../../../functions/adapters/payments/sandbox-gateway');
    const order = await createOrder({ paymentMethodId: 'pm_card_sandboxUnavailable' });
    await expect(authorizeOrderPayment(order)).rejects.toThrow();
    await orderStore.transition(order.id, 'FAILED', { actor: 'step:fail-order', reason: 'payment provider unavailable' }, { set: { failureReason: 'PAYMENT_ERROR' } });
    // The provider did act on one of the attempts (its answer was lost).
    const sandbox = new SandboxGateway();
    const authorized = await sandbox.authorize({ orderId: order.id, amount: order.total, paymentMethodId: 'pm_card_visa' });
    if (authorized.outcome !== 'authorized') throw new Error('expected an authorization');

    const response = await deliver(stripeEvent('payment_intent.amount_capturable_updated', intentObject(authorized.intentId, order.id)));
    expect(response.body.result).toBe('applied');
    const record = await paymentStore.get(order.id);
    expect(record).toMatchObject({ intentId: authorized.intentId, status: 'voided' });
    expect(record?.history.map((h) => h.status)).toEqual(['failed', 'authorized', 'voided']);
    expect((await sandbox.get(authorized.intentId))?.status).toBe('canceled');
  });
});
