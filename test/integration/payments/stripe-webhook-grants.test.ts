import Stripe from 'stripe';
import { dynamoDbClient } from '../../../functions/commons/clients';
import { orderStore } from '../../../functions/adapters/order-store';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { authorizeOrderPayment } from '../../../functions/payments/service';
import { handler } from '../../../functions/api/stripe-webhook';
import { routes } from '../../../lib/routes';
import { actionsOf, logicalIdWithPrefix, resourcesOf, statementsOf, synth } from '../../infra/support';
import { createOrder, invoke } from './support/fixtures';
import { useIsolatedTables } from '../../support/dynamo';

/**
 * The public Stripe webhook may touch only the key prefixes declared in lib/routes.ts (IAM
 * dynamodb:LeadingKeys). Proven from both ends, as for the carrier webhook: every DynamoDB request its code
 * paths really send against DynamoDB Local (recorded at the SDK) must be allowed by the policy in the
 * synthesized template, evaluated here the way IAM does (action, resource, LeadingKeys condition); and the
 * policy allows nothing else. The payments are held by the sandbox gateway (no Stripe key configured), so the
 * late-authorization void writes SANDBOX# items; with Stripe that call goes to the Stripe API instead.
 */
useIsolatedTables();

const secret = 'whsec_test_secret_for_grants';
process.env.STRIPE_WEBHOOK_SECRET = secret;
delete process.env.STRIPE_SECRET_KEY;
const stripe = new Stripe('sk_test_unused');

interface Access {
  action: string;
  index?: string;
  pk: string;
}
const recorded: Access[] = [];
let recording = false;

const OPS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
beforeAll(() => {
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) {
        const input = args.input as Record<string, any>;
        const command = String(context.commandName).replace(/Command$/, '');
        // Document-client requests may still be unmarshalled here: accept { S: 'x' } and plain 'x'.
        const str = (v: any): string => (typeof v === 'string' ? v : typeof v?.S === 'string' ? v.S : '(none)');
        const pkOf = (item: Record<string, any> | undefined) => str(item?.pk);
        if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
          for (const entry of input.TransactItems) {
            const [op, body] = Object.entries(entry)[0] as [string, any];
            recorded.push({ action: OPS[op]!, pk: pkOf(body.Key ?? body.Item) });
          }
        } else if (command === 'Query') {
          const placeholder = /\bpk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1];
          recorded.push({ action: 'Query', index: input.IndexName, pk: placeholder ? str(input.ExpressionAttributeValues[placeholder]) : '(not by pk)' });
        } else {
          recorded.push({ action: command, index: input.IndexName, pk: pkOf(input.Key ?? input.Item) });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordStripeWebhookDynamoDbAccess' },
  );
});

let n = 0;
const stripeEvent = (type: string, object: Record<string, unknown>) => ({
  id: `evt_grants_${Date.now()}_${n++}`,
  object: 'event',
  api_version: '2026-10-28.endive',
  created: Math.floor(Date.now() / 1000),
  livemode: false,
  pending_webhooks: 1,
  request: { id: null },
  type,
  data: { object },
});
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
// No metadata: the handler finds the order through the payment-intent reference item.
const chargeObject = (intentId: string, amountRefunded: number) => ({
  id: `ch_${intentId}`,
  object: 'charge',
  amount: 5000,
  amount_captured: 5000,
  amount_refunded: amountRefunded,
  currency: 'usd',
  payment_intent: intentId,
  metadata: {},
});

async function deliver(event: object) {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return invoke(handler, { method: 'POST', path: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload });
}

async function authorizedOrder() {
  const order = await createOrder();
  await authorizeOrderPayment(order);
  return { order, intentId: (await paymentStore.get(order.id))!.intentId! };
}

/** An order that failed with PAYMENT_ERROR although the sandbox did authorize (its answer was lost). */
async function endedOrderWithLostAuthorization() {
  const order = await createOrder({ paymentMethodId: 'pm_card_sandboxUnavailable' });
  await expect(authorizeOrderPayment(order)).rejects.toThrow();
  await orderStore.transition(order.id, 'FAILED', { actor: 'step:fail-order', reason: 'payment provider unavailable' }, { set: { failureReason: 'PAYMENT_ERROR' } });
  const authorized = await new SandboxGateway().authorize({ orderId: order.id, amount: order.total, paymentMethodId: 'pm_card_visa' });
  if (authorized.outcome !== 'authorized') throw new Error('expected an authorization');
  return { order, intentId: authorized.intentId };
}

/** IAM's evaluation of one request against the function's table statements. */
function allowed(statements: ReturnType<typeof statementsOf>, tableId: string, access: Access): boolean {
  return statements.some((s) => {
    if (!actionsOf(s).includes(`dynamodb:${access.action}`)) return false;
    const resources = resourcesOf(s).map((r) => JSON.stringify(r));
    const onTable = resources.some((r) => r === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }));
    if (access.index ? !resources.some((r) => r.includes(tableId) && r.includes('/index/')) : !onTable) return false;
    const patterns: string[] | undefined = (s as any).Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    if (!patterns) return true;
    return patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(access.pk));
  });
}

it('every request of the Stripe webhook code paths is allowed, and only the declared prefixes are', async () => {
  const paid = await authorizedOrder();
  const refunded = await authorizedOrder();
  const late = await endedOrderWithLostAuthorization();

  recording = true;
  const succeeded = stripeEvent('payment_intent.succeeded', intentObject(paid.intentId, paid.order.id, { status: 'succeeded', amount_received: 5000 }));
  const outcomes = [
    await deliver(succeeded), // applied
    await deliver(succeeded), // duplicate
    await deliver(stripeEvent('payment_intent.succeeded', intentObject('pi_not_ours', undefined, { status: 'succeeded', amount_received: 5000 }))), // unknown intent
    await deliver(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })), // a type it does not act on
    await deliver(stripeEvent('payment_intent.amount_capturable_updated', intentObject(paid.intentId, paid.order.id))), // late: unchanged
    await deliver(stripeEvent('payment_intent.succeeded', intentObject(refunded.intentId, refunded.order.id, { status: 'succeeded', amount_received: 5000 }))),
    await deliver(stripeEvent('charge.refunded', chargeObject(refunded.intentId, 2000))), // found by intent id
    await deliver(stripeEvent('payment_intent.amount_capturable_updated', intentObject(late.intentId, late.order.id))), // late authorization: voided
  ].map((r) => [r.statusCode, r.body.result]);
  recording = false;

  expect(outcomes).toEqual([
    [200, 'applied'],
    [200, 'duplicate'],
    [200, 'ignored'],
    [200, 'ignored'],
    [200, 'unchanged'],
    [200, 'applied'],
    [200, 'applied'],
    [200, 'applied'],
  ]);
  // The paths really ran to their end: the refund was found by intent id and the late authorization voided.
  expect(await paymentStore.get(refunded.order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: 2000 });
  expect(await paymentStore.get(late.order.id)).toMatchObject({ status: 'voided' });
  expect((await new SandboxGateway().get(late.intentId))?.status).toBe('canceled');

  const { template } = synth();
  const tableId = logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', 'DataOrderTable');
  const statements = statementsOf(template, 'StripeWebhook').filter((s) => JSON.stringify(s.Resource).includes(`"${tableId}"`));
  expect(statements.length).toBeGreaterThan(0);
  // No path uses an index (LeadingKeys grants none) or a Scan.
  expect(recorded.filter((a) => a.index || a.action === 'Scan')).toEqual([]);
  const denied = recorded.filter((a) => !allowed(statements, tableId, a));
  expect(denied).toEqual([]);

  // Nothing beyond the declared prefixes: no product, inventory, tracking, audit or another webhook source,
  // no index (the payments list), no Scan.
  const declared = routes.find((r) => r.name === 'StripeWebhook')!.tableKeys!;
  expect(statements.every((s) => (s as any).Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toBe(true);
  for (const probe of [
    { action: 'UpdateItem', pk: 'PRODUCT#LAMP' },
    { action: 'PutItem', pk: 'WEBHOOK#carrier#evt_1' },
    { action: 'GetItem', pk: 'TRACKING#CP123' },
    { action: 'PutItem', pk: 'AUDIT' },
    { action: 'UpdateItem', pk: 'COUNTER#orders' },
    { action: 'Query', index: 'gsi1', pk: 'PAYMENTS' },
    { action: 'Query', index: 'gsi3', pk: 'PAYMENT_STATUS#captured' },
    { action: 'Scan', pk: 'ORDER#x' },
  ]) {
    expect({ probe, allowed: allowed(statements, tableId, probe) }).toEqual({ probe, allowed: false });
  }
  // Every declared prefix is really used (no prefix granted "just in case").
  for (const prefix of declared) expect({ prefix, used: recorded.some((a) => a.pk.startsWith(prefix)) }).toEqual({ prefix, used: true });
}, 120_000);
