import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';

/**
 * Local mode runs the real saga: POST /orders through the gateway starts the deployed ASL on the local
 * Step Functions endpoint (through @aws-sdk/client-sfn), whose Task states call the workflow handlers.
 * Asserts only SPEC.md outcomes: terminal statuses, failure reasons, where labels and emails land.
 */
const local = useLocalStack({ env: { ORDER_HOLD_SECONDS: '0' } });

const orderBody = (sku: string, quantity: number, paymentMethodId: string) =>
  JSON.stringify({
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shippingAddress: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    items: [{ sku, quantity }],
    payment: { paymentMethodId },
  });

async function placeOrder(sku: string, quantity: number, paymentMethodId: string): Promise<string> {
  const response = await local.api('/orders', {
    method: 'POST',
    as: 'customer',
    headers: { 'content-type': 'application/json', 'idempotency-key': `e2e-${sku}-${paymentMethodId}-${Date.now()}` },
    body: orderBody(sku, quantity, paymentMethodId),
  });
  expect(response.status).toBe(202);
  const order = (await response.json()) as { id: string; status: string };
  expect(order.status).toBe('PENDING');
  return order.id;
}

async function order(id: string) {
  const response = await local.api(`/orders/${id}`, { as: 'customer' });
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; failureReason?: string };
}

test('a paid order runs the whole saga to SHIPPED; its label and emails land in the local data dir', async () => {
  const id = await placeOrder('MUG-CLASSIC', 2, 'pm_card_visa');
  const execution = await local.waitForExecution(id);
  expect({ status: execution.status, error: execution.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect((await order(id)).status).toBe('SHIPPED');
  const labels = path.join(local.stack.dataDir, 'labels', id);
  expect(existsSync(labels) && readdirSync(labels).some((f) => f.endsWith('.pdf'))).toBe(true);
  expect(readdirSync(path.join(local.stack.dataDir, 'outbox')).filter((f) => f.includes(id)).length).toBeGreaterThanOrEqual(1);
});

test('a declined card ends the order FAILED with PAYMENT_DECLINED and its stock released', async () => {
  const before = (await (await local.api('/products/TOTE-CANVAS')).json()) as { available: number };
  const id = await placeOrder('TOTE-CANVAS', 3, 'pm_card_chargeDeclined');
  const execution = await local.waitForExecution(id);
  // A decline is a business outcome: the execution succeeds and the order ends FAILED.
  expect(execution.status).toBe('SUCCEEDED');
  expect(await order(id)).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED' });
  const after = (await (await local.api('/products/TOTE-CANVAS')).json()) as { available: number };
  expect(after.available).toBe(before.available);
});
