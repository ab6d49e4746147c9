import Stripe from 'stripe';
import { mockClient } from 'aws-sdk-client-mock';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { useIsolatedTables } from '../support/dynamo';
import { FakeStripe } from '../unit/payments/support/fake-stripe';
import { httpEvent, lambdaContext } from '../unit/api/events';
import { functionLogicalId, statementsOf, actionsOf, resourcesOf, synth, type Resources } from './support';

/**
 * A grant is proven by running the code path that needs it, not by reading it back from the table that
 * generated it. The Stripe webhook's late-authorization path (Stripe authorized although the charge step saw
 * an error, and the order has ended) must void the authorization, which needs the Stripe API key. The
 * handler runs with the environment the synthesized template gives its function, and every secret it asks
 * Secrets Manager for is answered only if that function's IAM policy in the same template allows
 * secretsmanager:GetSecretValue on it: a missing grant fails the path here as it would on AWS.
 */
const tables = useIsolatedTables();
const { template } = synth();
const resources = template.toJSON().Resources as Resources;

/** What a function's role may read: logical ids of the secrets its policy names for GetSecretValue. */
function readableSecrets(name: string): Set<string> {
  return new Set(
    statementsOf(template, name)
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf)
      .map((r) => (r as { Ref?: string }).Ref)
      .filter((id): id is string => Boolean(id)),
  );
}

/** The function's environment as deployed, with each secret Ref turned into a fake ARN that names it. */
function deployedEnvironment(name: string): Record<string, string> {
  const vars = resources[functionLogicalId(template, name)]!.Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(vars).map(([key, value]) => {
      const ref = (value as { Ref?: string })?.Ref;
      if (ref && resources[ref]?.Type === 'AWS::SecretsManager::Secret') return [key, `arn:aws:secretsmanager:us-east-1:000000000000:secret:${ref}`];
      return [key, typeof value === 'string' ? value : 'unresolved'];
    }),
  );
}

const WEBHOOK_SECRET = 'whsec_grant_test';
const fake = new FakeStripe();
const secrets = mockClient(SecretsManagerClient);
const asked: string[] = [];

async function lateAuthorizationIsVoided(allowed: Set<string>): Promise<{ voided: boolean; asked: string[] }> {
  asked.length = 0;
  secrets.reset();
  secrets.on(GetSecretValueCommand).callsFake(async ({ SecretId }: { SecretId: string }) => {
    const id = SecretId.split(':secret:')[1]!;
    asked.push(id);
    if (!allowed.has(id)) throw Object.assign(new Error(`not authorized to perform secretsmanager:GetSecretValue on ${id}`), { name: 'AccessDeniedException' });
    return { SecretString: /Webhook/i.test(id) ? WEBHOOK_SECRET : 'sk_test_granted' };
  });

  // Nothing cached from an earlier run: every secret is asked for again.
  clearCaches();
  const env = deployedEnvironment('StripeWebhook');
  const saved = { ...process.env };
  Object.assign(process.env, env, {
    TABLE_NAME: tables.tableName,
    DYNAMODB_ENDPOINT: tables.endpoint,
    STRIPE_API_BASE: `http://127.0.0.1:${fake.port}`,
    AWS_REGION: 'us-east-1',
  });
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { handler } = require('../../functions/api/stripe-webhook') as typeof import('../../functions/api/stripe-webhook');
    const { orderStore } = require('../../functions/adapters/order-store') as typeof import('../../functions/adapters/order-store');
    const { paymentStore } = require('../../functions/adapters/payment-store') as typeof import('../../functions/adapters/payment-store');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const at = new Date().toISOString();
    const orderId = crypto.randomUUID();
    await orderStore.create({
      id: orderId, userId: 'u', status: 'FAILED', failureReason: 'PAYMENT_ERROR', customer: { name: 'A', email: 'a@example.com' },
      shippingAddress: { line1: '1 Way', city: 'Oslo', postalCode: '0150', country: 'NO' },
      items: [{ sku: 'X', name: 'X', quantity: 1, unitPrice: { amount: 500, currency: 'USD' }, lineTotal: { amount: 500, currency: 'USD' } }],
      total: { amount: 500, currency: 'USD' }, paymentMethodId: 'pm_card_visa', stock: 'RELEASED', timeline: [], createdAt: at, updatedAt: at, version: 1,
    });
    await paymentStore.save({ orderId, provider: 'stripe', amount: { amount: 500, currency: 'USD' }, amountCaptured: 0, amountRefunded: 0, currency: 'USD', status: 'failed', history: [], refunds: [], refundSequence: 0, createdAt: at, updatedAt: at, version: 0 }, undefined);
    // Stripe did authorize (the charge step only saw an error).
    const intentId = `pi_grant_${orderId.slice(0, 8)}`;
    fake.intents.set(intentId, { id: intentId, object: 'payment_intent', amount: 500, currency: 'usd', status: 'requires_capture', metadata: { orderId } });

    const event = { id: `evt_${intentId}`, object: 'event', type: 'payment_intent.amount_capturable_updated', created: Math.floor(Date.now() / 1000), data: { object: fake.intents.get(intentId) } };
    const payload = JSON.stringify(event);
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const res = (await handler(httpEvent({ method: 'POST', path: '/webhooks/stripe', headers: { 'stripe-signature': signature }, body: payload }), lambdaContext('StripeWebhook'))) as { statusCode: number };
    expect(res.statusCode).toBe(200);
    return { voided: fake.intents.get(intentId)!.status === 'canceled' && (await paymentStore.get(orderId))?.status === 'voided', asked: [...asked] };
  } finally {
    process.env = saved;
  }
}

beforeAll(() => fake.start());
afterAll(async () => {
  secrets.restore();
  await fake.stop();
});

it("the Stripe webhook's grants let its late-authorization path void the authorization", async () => {
  const granted = readableSecrets('StripeWebhook');
  const result = await lateAuthorizationIsVoided(granted);
  expect(result.voided).toBe(true);
  // The path read both secrets: the webhook signing secret and the Stripe API key (for the void).
  expect(new Set(result.asked).size).toBe(2);
  expect(result.asked.every((id) => granted.has(id))).toBe(true);
});

it('control: without the Stripe API key grant the same path cannot void (so the test above can fail)', async () => {
  const granted = readableSecrets('StripeWebhook');
  const apiKey = [...granted].find((id) => !/Webhook/i.test(id))!;
  const result = await lateAuthorizationIsVoided(new Set([...granted].filter((id) => id !== apiKey)));
  expect(result.voided).toBe(false);
  expect(result.asked).toContain(apiKey);
});
