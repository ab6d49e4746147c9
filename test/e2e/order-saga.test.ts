import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { useLocalStack } from '../support/local-stack';
import { isValidTrackingNumber } from '../../functions/domain/tracking';

/**
 * Every path of statemachines/order-fulfillment.asl.json, run by aws-local-stepfunctions inside the local
 * stack, started by real POST /orders requests with real cognito-local tokens.
 */
const local = useLocalStack();

let sku = 0;
async function createProduct(onHand: number, lowStockThreshold = 0): Promise<string> {
  const code = `SAGA-${process.pid}-${sku++}`;
  const res = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: code, name: `Saga product ${code}`, price: { amount: 2500, currency: 'USD' }, lowStockThreshold, initialStock: onHand }),
  });
  expect(res.status).toBe(201);
  return code;
}

let key = 0;
async function placeOrder(items: { sku: string; quantity: number }[], paymentMethodId = 'pm_card_visa') {
  const res = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `saga-${process.pid}-${key++}` },
    body: JSON.stringify({
      customer: { name: 'Grace Hopper', email: 'grace@example.com', phone: '+1 555 0100' },
      shippingAddress: { name: 'Grace Hopper', line1: '1 Compiler Rd', city: 'Arlington', region: 'VA', postalCode: '22201', country: 'US' },
      items,
      payment: { paymentMethodId },
    }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string; status: string };
}

async function emailsOf(orderId: string, expected: number): Promise<string[]> {
  const dir = path.join(local.stack.dataDir, 'outbox');
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml') && f.includes(orderId));
    if (files.length >= expected) return files;
    await new Promise((r) => setTimeout(r, 25));
  }
  return readdirSync(dir).filter((f) => f.endsWith('.eml') && f.includes(orderId));
}

/** The outbox consumer starts the execution (named by the order id) from the committed order. */
const finished = (orderId: string) => local.waitForExecution(orderId);

const adminOrder = async (id: string) => (await (await local.api(`/admin/orders/${id}`, { as: 'admin' })).json()) as any;
const levels = async (code: string) => ((await (await local.api(`/admin/products/${code}`, { as: 'admin' })).json()) as any).inventory;
const statuses = (order: any) => order.timeline.map((t: { status: string }) => t.status);

describe('order saga through the real ASL', () => {
  it('happy path: reserved, authorized, held, labelled, captured, shipped, two emails', async () => {
    const code = await createProduct(10);
    const order = await placeOrder([{ sku: code, quantity: 2 }]);
    const execution = await finished(order.id);
    expect(execution.status).toBe('SUCCEEDED');

    const view = await adminOrder(order.id);
    expect(view.status).toBe('SHIPPED');
    expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'PAID', 'LABELLED', 'SHIPPED']);
    expect(view.payment).toMatchObject({ status: 'captured', brand: 'visa', last4: '4242' });
    expect(isValidTrackingNumber(view.shipment.trackingNumber)).toBe(true);
    expect(view.shipment.trackingUrl).toContain(view.shipment.trackingNumber);
    expect(await levels(code)).toMatchObject({ onHand: 8, reserved: 0, available: 8 });

    // Emails follow the committed status changes through the outbox, a moment after the execution ends.
    const outbox = await emailsOf(order.id, 2);
    expect(outbox.sort()).toEqual([expect.stringContaining('confirmation'), expect.stringContaining('shipped')]);
    const shippedMail = await simpleParser(readFileSync(path.join(local.stack.dataDir, 'outbox', outbox.find((f) => f.includes('shipped'))!)));
    expect(shippedMail.text).toContain(view.shipment.trackingNumber);
    expect(shippedMail.headers.get('x-notification-kind')).toBe('shipped');

    // The customer sees it too, and public tracking knows the shipment without any personal data.
    const mine = (await (await local.api(`/orders/${order.id}`, { as: 'customer' })).json()) as any;
    expect(mine.status).toBe('SHIPPED');
    const tracking = await (await local.api(`/tracking/${view.shipment.trackingNumber}`)).text();
    expect(tracking).toContain('SHIPPED');
    expect(tracking).not.toMatch(/Grace|Hopper|grace@example.com|Compiler|555/);
  });

  it('out of stock: FAILED/OUT_OF_STOCK and stock untouched', async () => {
    const code = await createProduct(1);
    const order = await placeOrder([{ sku: code, quantity: 2 }]);
    // A business outcome: the execution succeeds, the order ends FAILED.
    expect((await finished(order.id)).status).toBe('SUCCEEDED');
    const view = await adminOrder(order.id);
    expect(view).toMatchObject({ status: 'FAILED', failureReason: 'OUT_OF_STOCK' });
    expect(await levels(code)).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
    ['pm_card_unknown', 'invalid_payment_method'],
  ])('declined card %s: FAILED/PAYMENT_DECLINED (%s), stock released', async (paymentMethodId, declineCode) => {
    const code = await createProduct(5);
    const order = await placeOrder([{ sku: code, quantity: 3 }], paymentMethodId);
    expect((await finished(order.id)).status).toBe('SUCCEEDED');
    const view = await adminOrder(order.id);
    expect(view).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED' });
    expect(view.timeline.at(-1).reason).toContain(declineCode);
    expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'FAILED']);
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('payment provider down after retries: FAILED/PAYMENT_ERROR, stock released, nothing captured', async () => {
    const code = await createProduct(5);
    const order = await placeOrder([{ sku: code, quantity: 1 }], 'pm_card_sandboxUnavailable');
    expect((await finished(order.id)).status).toBe('FAILED');
    const view = await adminOrder(order.id);
    expect(view).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_ERROR' });
    expect(view.payment?.status ?? 'none').not.toBe('captured');
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('label failure: FAILED/FULFILLMENT_ERROR, authorization voided, stock released', async () => {
    const code = await createProduct(5);
    // Make label storage fail for real: the labels folder is a file.
    const brokenDir = path.join(local.stack.dataDir, 'broken');
    mkdirSync(brokenDir, { recursive: true });
    writeFileSync(path.join(brokenDir, 'labels'), 'not a folder');
    const original = process.env.LOCAL_DATA_DIR;
    process.env.LOCAL_DATA_DIR = brokenDir;
    try {
      const order = await placeOrder([{ sku: code, quantity: 2 }]);
      expect((await finished(order.id)).status).toBe('FAILED');
      const view = await adminOrder(order.id);
      expect(view).toMatchObject({ status: 'FAILED', failureReason: 'FULFILLMENT_ERROR' });
      expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'PAID', 'FAILED']);
      expect(view.payment.status).toBe('voided');
    } finally {
      process.env.LOCAL_DATA_DIR = original;
    }
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('cancel during the hold: CANCELLED, voided at once, stock released once, nothing captured or labelled', async () => {
    const code = await createProduct(4);
    process.env.ORDER_HOLD_SECONDS = '3';
    let order: { id: string };
    try {
      order = await placeOrder([{ sku: code, quantity: 2 }]);
      // Wait until the workflow (started by the outbox with this hold) is holding the paid order.
      for (let i = 0; i < 100 && (await adminOrder(order.id)).status !== 'PAID'; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.env.ORDER_HOLD_SECONDS = '0';
    }
    const res = await local.api(`/orders/${order.id}/cancel`, { as: 'customer', method: 'POST' });
    expect(res.status).toBe(200);
    const cancelled = (await res.json()) as any;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.payment.status).toBe('voided');

    const execution = await finished(order.id);
    expect(execution.status).toBe('SUCCEEDED'); // ends in the Cancelled state after compensating (no-ops now)
    const view = await adminOrder(order.id);
    expect(view.status).toBe('CANCELLED');
    expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'PAID', 'CANCELLED']);
    expect(view.shipment).toBeUndefined();
    expect(view.paymentRecord.amountCaptured ?? 0).toBe(0);
    expect(await levels(code)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });

    // Once shipped, cancelling is refused.
    const shippedOrder = await placeOrder([{ sku: code, quantity: 1 }]);
    await finished(shippedOrder.id);
    const late = await local.api(`/orders/${shippedOrder.id}/cancel`, { as: 'customer', method: 'POST' });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('Idempotency-Key on POST /orders, raced for real', () => {
  it('20 concurrent replays of one key create one order; a changed body is 422', async () => {
    const code = await createProduct(50);
    const body = (quantity: number) =>
      JSON.stringify({
        customer: { name: 'Idem Potent', email: 'idem@example.com' },
        shippingAddress: { line1: '1 Same St', city: 'Oslo', postalCode: '0150', country: 'NO' },
        items: [{ sku: code, quantity }],
        payment: { paymentMethodId: 'pm_card_visa' },
      });
    const send = (quantity: number) =>
      local.api('/orders', { as: 'customer', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `idem-${process.pid}` }, body: body(quantity) });

    const responses = await Promise.all(Array.from({ length: 20 }, () => send(1)));
    const accepted = await Promise.all(responses.filter((r) => r.status === 202).map((r) => r.json() as Promise<{ id: string }>));
    expect(responses.every((r) => r.status === 202 || r.status === 409)).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((o) => o.id)).size).toBe(1);

    // A retry after the first finished returns the same order again.
    const replay = await send(1);
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { id: string }).id).toBe(accepted[0]!.id);

    // Exactly one order exists for this SKU, and one execution ran for it.
    const mine = (await (await local.api('/orders?limit=100', { as: 'customer' })).json()) as { items: { id: string; items: { sku: string }[] }[] };
    expect(mine.items.filter((o) => o.items.some((l) => l.sku === code))).toHaveLength(1);
    await finished(accepted[0]!.id);
    expect(await levels(code)).toMatchObject({ onHand: 49 });

    const changed = await send(2);
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toBe('application/problem+json');
  });
});
