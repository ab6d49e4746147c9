import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { useIsolatedTables } from '../../support/dynamo';
import { orderStore } from '../../../functions/adapters/order-store';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { idempotencyKeys } from '../../../functions/payments/gateway';
import { remainingRefundable } from '../../../functions/payments/payment';
import { authorizeOrderPayment, captureOrderPayment, checkPaymentAction, refundOrderPayment } from '../../../functions/payments/service';
import { handler } from '../../../functions/api/stripe-webhook';
import { handler as listDisputes } from '../../../functions/api/admin-list-disputes';
import { createOrder, invoke, scanTable } from './support/fixtures';

/**
 * The webhook's state rules for 3-D Secure, failed refunds and disputes against DynamoDB Local: each event
 * applies once by id, late and out-of-order events change nothing, malformed ones are 400. Event shapes follow
 * Stripe's API reference (PaymentIntent, Refund, Dispute objects).
 */
useIsolatedTables();

const secret = 'whsec_test_secret_for_payment_events';
process.env.STRIPE_WEBHOOK_SECRET = secret;
process.env.PAYMENT_ACTION_BASE_URL = 'http://localhost:9/sandbox/payments';
const stripe = new Stripe('sk_test_unused');
let counter = 0;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function stripeEvent(type: string, object: Record<string, unknown>, options: { id?: string; created?: number } = {}) {
  return { id: options.id ?? `evt_pe_${Date.now()}_${++counter}`, object: 'event', api_version: '2026-10-28.endive', created: options.created ?? nowSeconds(), livemode: false, pending_webhooks: 1, request: { id: null }, type, data: { object } };
}

async function deliver(event: object) {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return invoke(handler, { method: 'POST', path: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload });
}

const intentObject = (intentId: string, orderId: string, over: Record<string, unknown> = {}) => ({
  id: intentId,
  object: 'payment_intent',
  amount: 5000,
  amount_capturable: 5000,
  amount_received: 0,
  currency: 'usd',
  status: 'requires_capture',
  metadata: { orderId },
  last_payment_error: null,
  ...over,
});
const authenticationFailure = { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'We are unable to authenticate your payment method.' };

async function waitingOrder() {
  const order = await createOrder({ paymentMethodId: 'pm_card_threeDSecure2Required' });
  const outcome = await authorizeOrderPayment(order);
  expect(outcome.outcome).toBe('action_required');
  const record = (await paymentStore.get(order.id))!;
  return { order, intentId: record.intentId! };
}

async function capturedOrder() {
  const order = await createOrder({ status: 'LABELLED' });
  await authorizeOrderPayment(order);
  await captureOrderPayment(order.id);
  return { order, intentId: (await paymentStore.get(order.id))!.intentId! };
}

describe('3-D Secure events', () => {
  it('records action_required with the sandbox page as next action, shown on the order summary', async () => {
    const { order, intentId } = await waitingOrder();
    const record = (await paymentStore.get(order.id))!;
    expect(record).toMatchObject({ status: 'action_required', nextAction: { type: 'redirect_to_url', url: `http://localhost:9/sandbox/payments/${intentId}` } });
    expect(Date.parse(record.actionExpiresAt!)).toBeGreaterThan(Date.now());
    expect((await orderStore.get(order.id))?.payment).toMatchObject({ status: 'action_required', nextAction: { type: 'redirect_to_url' } });
  });

  it('amount_capturable_updated authorizes once; a duplicate and a late payment_failed change nothing', async () => {
    const { order, intentId } = await waitingOrder();
    const event = stripeEvent('payment_intent.amount_capturable_updated', intentObject(intentId, order.id));
    expect((await deliver(event)).body).toMatchObject({ result: 'applied' });
    expect((await deliver(event)).body).toMatchObject({ result: 'duplicate' });
    const late = stripeEvent('payment_intent.payment_failed', intentObject(intentId, order.id, { status: 'requires_payment_method', last_payment_error: authenticationFailure }));
    expect((await deliver(late)).body).toMatchObject({ result: 'unchanged' });
    const record = (await paymentStore.get(order.id))!;
    expect(record.status).toBe('authorized');
    expect(record.history.filter((h) => h.status === 'authorized')).toHaveLength(1);
    expect((await orderStore.get(order.id))?.payment?.nextAction).toBeUndefined();
  });

  it('payment_failed with an authentication failure declines with authentication_failed; a later approval event is ignored', async () => {
    const { order, intentId } = await waitingOrder();
    const failed = stripeEvent('payment_intent.payment_failed', intentObject(intentId, order.id, { status: 'requires_payment_method', last_payment_error: authenticationFailure }));
    expect((await deliver(failed)).body).toMatchObject({ result: 'applied' });
    expect((await deliver(stripeEvent('payment_intent.amount_capturable_updated', intentObject(intentId, order.id)))).body).toMatchObject({ result: 'unchanged' });
    expect(await paymentStore.get(order.id)).toMatchObject({ status: 'declined', declineCode: 'authentication_failed' });
    expect(await checkPaymentAction(order.id)).toMatchObject({ outcome: 'declined', declineCode: 'authentication_failed' });
  });

  it('a lost webhook costs a poll: checkPaymentAction reads the intent; past the deadline it cancels and declines', async () => {
    const sandbox = new SandboxGateway();
    const approved = await waitingOrder();
    expect(await checkPaymentAction(approved.order.id)).toMatchObject({ outcome: 'pending' });
    await sandbox.completeAction(approved.intentId, 'approve'); // no event delivered
    expect(await checkPaymentAction(approved.order.id)).toMatchObject({ outcome: 'authorized', payment: { status: 'authorized', captureBefore: expect.any(String) } });

    const silent = await waitingOrder();
    const later = Date.now() + 3600_000;
    expect(await checkPaymentAction(silent.order.id, later)).toMatchObject({ outcome: 'declined', declineCode: 'authentication_required' });
    expect((await sandbox.retrieve(silent.intentId)).status).toBe('canceled');
    // The customer answers too late: the intent no longer waits.
    await expect(sandbox.completeAction(silent.intentId, 'approve')).rejects.toMatchObject({ name: 'PaymentStateError' });
    expect(await checkPaymentAction(silent.order.id, later)).toMatchObject({ outcome: 'declined', declineCode: 'authentication_required' });
  });
});

const refundObject = (refundId: string, intentId: string, orderId: string, amount: number, over: Record<string, unknown> = {}) => ({
  id: refundId,
  object: 'refund',
  amount,
  currency: 'usd',
  payment_intent: intentId,
  charge: `ch_${intentId}`,
  status: 'failed',
  failure_reason: 'expired_or_canceled_card',
  metadata: { orderId, sequence: '1' },
  ...over,
});

describe('refunds that fail later', () => {
  it('refund.failed marks the refund failed, gives the amount back, notes the timeline and sets needsAttention, once', async () => {
    const { order, intentId } = await capturedOrder();
    await refundOrderPayment(order.id, 2000, 'admin:ops');
    const refundId = (await paymentStore.get(order.id))!.refunds[0]!.refundId;

    const event = stripeEvent('refund.failed', refundObject(refundId, intentId, order.id, 2000));
    expect((await deliver(event)).body).toMatchObject({ result: 'applied' });
    expect((await deliver(event)).body).toMatchObject({ result: 'duplicate' });
    // The same failure reported again as charge.refund.updated (another event id) changes nothing.
    expect((await deliver(stripeEvent('charge.refund.updated', refundObject(refundId, intentId, order.id, 2000)))).body).toMatchObject({ result: 'unchanged' });
    // A late charge.refunded that still counts the failed refund does not count it again.
    const lateCharge = { id: `ch_${intentId}`, object: 'charge', amount: 5000, amount_captured: 5000, amount_refunded: 2000, currency: 'usd', payment_intent: intentId, metadata: {} };
    await deliver(stripeEvent('charge.refunded', lateCharge));

    const record = (await paymentStore.get(order.id))!;
    expect(record).toMatchObject({ status: 'captured', amountRefunded: 0 });
    expect(record.refunds[0]).toMatchObject({ refundId, failedAt: expect.any(String), failureReason: 'expired_or_canceled_card' });
    const stored = (await orderStore.get(order.id))!;
    expect(stored.needsAttention).toMatchObject({ kind: 'refund-failed' });
    expect(stored.timeline.filter((t) => t.actor === 'stripe:refund.failed')).toHaveLength(1);
    expect(stored.timeline.at(-1)?.status).toBe('LABELLED');

    // The amount is refundable again (the sandbox's own intent is told by its delayed event, not by this fake one).
    expect(remainingRefundable(record)).toBe(5000);
  });

  it('a failure reported before the refund was recorded is applied when it is (order-independent)', async () => {
    const { order, intentId } = await capturedOrder();
    // The sandbox's refund id for this order's refund 1 (the same derivation the sandbox uses).
    const key = idempotencyKeys.refund(order.id, 1);
    const refundId = `re_sbx_${createHash('sha256').update(`${intentId}:${key}`).digest('hex').slice(0, 24)}`;
    expect((await deliver(stripeEvent('refund.failed', refundObject(refundId, intentId, order.id, 1500)))).body).toMatchObject({ result: 'applied' });
    await refundOrderPayment(order.id, 1500, 'admin:ops');
    const record = (await paymentStore.get(order.id))!;
    expect(record.amountRefunded).toBe(0);
    expect(record.refunds[0]).toMatchObject({ refundId, failedAt: expect.any(String) });
    expect((await orderStore.get(order.id))?.needsAttention).toMatchObject({ kind: 'refund-failed' });
  });

  it('a refund update that is not a failure is acknowledged and changes nothing', async () => {
    const { order, intentId } = await capturedOrder();
    const before = await paymentStore.get(order.id);
    expect((await deliver(stripeEvent('refund.updated', refundObject('re_x', intentId, order.id, 100, { status: 'succeeded' })))).body).toMatchObject({ result: 'ignored' });
    expect(await paymentStore.get(order.id)).toEqual(before);
  });
});

const disputeObject = (intentId: string, over: Record<string, unknown> = {}) => ({
  id: `dp_${intentId}`,
  object: 'dispute',
  amount: 5000,
  currency: 'usd',
  charge: `ch_${intentId}`,
  payment_intent: intentId,
  reason: 'fraudulent',
  status: 'needs_response',
  created: nowSeconds(),
  evidence_details: { due_by: nowSeconds() + 7 * 86400, has_evidence: false, past_due: false, submission_count: 0 },
  is_charge_refundable: false,
  ...over,
});

const admin = (query: Record<string, string> = {}) => invoke(listDisputes, { method: 'GET', path: '/admin/disputes', groups: ['admin'], query });

describe('disputes', () => {
  it('created → needsAttention and listed; a late update is ignored; closed clears the flag', async () => {
    const { order, intentId } = await capturedOrder();
    const t = nowSeconds();
    const created = stripeEvent('charge.dispute.created', disputeObject(intentId), { created: t });
    expect((await deliver(created)).body).toMatchObject({ result: 'applied' });
    expect((await deliver(created)).body).toMatchObject({ result: 'duplicate' });

    let record = (await paymentStore.get(order.id))!;
    expect(record.dispute).toMatchObject({ id: `dp_${intentId}`, status: 'needs_response', reason: 'fraudulent', amount: 5000, evidenceDueBy: expect.any(String) });
    expect((await orderStore.get(order.id))?.needsAttention).toMatchObject({ kind: 'dispute' });
    expect((await orderStore.get(order.id))?.payment?.dispute?.status).toBe('needs_response');

    const listed = await admin({ status: 'needs_response' });
    expect(listed.statusCode).toBe(200);
    expect(listed.body.items.map((i: { orderId: string }) => i.orderId)).toContain(order.id);

    const closed = stripeEvent('charge.dispute.closed', disputeObject(intentId, { status: 'lost' }), { created: t + 20 });
    const lateUpdate = stripeEvent('charge.dispute.updated', disputeObject(intentId, { status: 'under_review' }), { created: t + 10 });
    expect((await deliver(closed)).body).toMatchObject({ result: 'applied' });
    expect((await deliver(lateUpdate)).body).toMatchObject({ result: 'unchanged' });

    record = (await paymentStore.get(order.id))!;
    expect(record.dispute?.status).toBe('lost');
    const stored = (await orderStore.get(order.id))!;
    expect(stored.needsAttention).toBeUndefined();
    expect(stored.timeline.filter((e) => e.actor.startsWith('stripe:charge.dispute.')).map((e) => e.actor)).toEqual(['stripe:charge.dispute.created', 'stripe:charge.dispute.closed']);
    expect((await admin({ status: 'lost' })).body.items.map((i: { orderId: string }) => i.orderId)).toContain(order.id);
    expect((await admin({ status: 'needs_response' })).body.items.map((i: { orderId: string }) => i.orderId)).not.toContain(order.id);
    expect((await admin()).body.items.map((i: { orderId: string }) => i.orderId)).toContain(order.id);
  });

  it('answers 400 for a dispute event without an amount, and for an unknown status filter; nothing changes', async () => {
    const { intentId } = await capturedOrder();
    const before = await scanTable();
    const response = await deliver(stripeEvent('charge.dispute.created', disputeObject(intentId, { amount: undefined })));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(await scanTable()).toEqual(before);
    expect((await admin({ status: 'bogus' })).statusCode).toBe(400);
  });

  it('a dispute for an intent this service does not know is acknowledged and ignored', async () => {
    expect((await deliver(stripeEvent('charge.dispute.created', disputeObject('pi_unknown_elsewhere')))).body).toMatchObject({ result: 'ignored' });
  });
});
