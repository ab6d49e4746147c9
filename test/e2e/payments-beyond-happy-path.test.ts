import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { useLocalStack } from '../support/local-stack';

/**
 * 3-D Secure in the sandbox, over HTTP on the local stack: the order waits in PAYMENT_ACTION_REQUIRED with a
 * redirect_to_url next action, the customer is emailed the link, and the page's answer (approve, refuse),
 * no answer (timeout) or a cancel meanwhile decides it, through the real ASL poll loop.
 * Then the sandbox cards that misbehave later: a refund that fails after it was accepted, a disputed capture.
 * A short timeout (4 s), poll (1 s) and "later" (1 s) keep the file to seconds.
 */
// A wait long enough for a loaded machine to reach the page and answer; the timeout test shortens it for its
// own order (the deadline is set from the environment when the authorization is recorded, in-process).
const local = useLocalStack({ env: { PAYMENT_ACTION_TIMEOUT_SECONDS: '60', PAYMENT_ACTION_POLL_SECONDS: '1', SANDBOX_LATER_SECONDS: '1' } });

let sku = 0;
async function createProduct(onHand: number): Promise<string> {
  const code = `TDS-${process.pid}-${sku++}`;
  const res = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: code, name: `3DS product ${code}`, price: { amount: 1999, currency: 'EUR' }, lowStockThreshold: 0, initialStock: onHand }),
  });
  expect(res.status).toBe(201);
  return code;
}

let key = 0;
async function placeOrder(code: string, paymentMethodId: string) {
  const res = await local.api('/orders', {
    as: 'customer',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `tds-${process.pid}-${key++}` },
    body: JSON.stringify({
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      shippingAddress: { line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      items: [{ sku: code, quantity: 2 }],
      payment: { paymentMethodId },
    }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string };
}

const myOrder = async (id: string) => (await (await local.api(`/orders/${id}`, { as: 'customer' })).json()) as any;
const adminOrder = async (id: string) => (await (await local.api(`/admin/orders/${id}`, { as: 'admin' })).json()) as any;
const levels = async (code: string) => ((await (await local.api(`/admin/products/${code}`, { as: 'admin' })).json()) as any).inventory;
const statuses = (order: any) => order.timeline.map((t: { status: string }) => t.status);

async function waitingOrder(id: string) {
  for (let i = 0; i < 200; i++) {
    const order = await myOrder(id);
    if (order.status === 'PAYMENT_ACTION_REQUIRED') return order;
    if (['PAID', 'FAILED', 'CANCELLED'].includes(order.status)) throw new Error(`order went ${order.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('order never asked for 3-D Secure');
}

async function emailOf(orderId: string, kind: string): Promise<string | undefined> {
  const dir = path.join(local.stack.dataDir, 'outbox');
  for (let i = 0; i < 200; i++) {
    const file = (existsSync(dir) ? readdirSync(dir) : []).find((f) => f.endsWith('.eml') && f.includes(orderId) && f.includes(kind));
    if (file) return path.join(dir, file);
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

const answer = (url: string, outcome: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });

describe('3-D Secure with the sandbox', () => {
  it('approve: PAYMENT_ACTION_REQUIRED with a page link (emailed once), then PAID and shipped as usual', async () => {
    const code = await createProduct(5);
    const order = await placeOrder(code, 'pm_card_threeDSecure2Required');
    const waiting = await waitingOrder(order.id);
    expect(waiting.payment.nextAction).toEqual({ type: 'redirect_to_url', url: expect.stringMatching(new RegExp(`^${local.stack.apiUrl}/sandbox/payments/pi_sbx_`)) });
    const url: string = waiting.payment.nextAction.url;

    // The customer's email carries the link.
    const mailFile = await emailOf(order.id, 'action-required');
    expect(mailFile).toBeDefined();
    const mail = await simpleParser(readFileSync(mailFile!));
    expect(mail.headers.get('x-notification-kind')).toBe('action-required');
    expect(mail.text).toContain(url);

    // The page a browser opens.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/value="approve"[\s\S]*value="decline"/);

    const res = await answer(url, 'approve');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'requires_capture' });
    // The same answer again changes nothing; the other answer is refused.
    expect((await answer(url, 'approve')).status).toBe(200);
    expect((await answer(url, 'decline')).status).toBe(409);

    const execution = await local.waitForExecution(order.id);
    expect(execution.status).toBe('SUCCEEDED');
    const view = await adminOrder(order.id);
    expect(view.status).toBe('SHIPPED');
    expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED', 'SHIPPED']);
    expect(view.payment).toMatchObject({ status: 'captured', brand: 'visa', last4: '3220' });
    expect(view.payment.nextAction).toBeUndefined();
    expect(Date.parse(view.paymentRecord.captureBefore)).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(await levels(code)).toMatchObject({ onHand: 3, reserved: 0 });
    const files = readdirSync(path.join(local.stack.dataDir, 'outbox')).filter((f) => f.includes(order.id) && f.includes('action-required'));
    expect(files).toHaveLength(1);
  });

  it('refuse: FAILED / PAYMENT_DECLINED with authentication_failed, stock released', async () => {
    const code = await createProduct(5);
    const order = await placeOrder(code, 'pm_card_authenticationRequired');
    const waiting = await waitingOrder(order.id);
    // A form post from the page itself answers with the page.
    const form = await fetch(waiting.payment.nextAction.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'outcome=decline' });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('not confirmed');

    const execution = await local.waitForExecution(order.id);
    expect(execution.status).toBe('SUCCEEDED'); // a business outcome
    const view = await adminOrder(order.id);
    expect(view).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', payment: { status: 'declined', declineCode: 'authentication_failed' } });
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await emailOf(order.id, 'failed')).toBeDefined();
  });

  it('timeout: no answer within PAYMENT_ACTION_TIMEOUT_SECONDS declines with authentication_required; a late answer is refused', async () => {
    const code = await createProduct(5);
    process.env.PAYMENT_ACTION_TIMEOUT_SECONDS = '4';
    let waiting: any;
    let order: { id: string };
    try {
      order = await placeOrder(code, 'pm_card_threeDSecure2Required');
      waiting = await waitingOrder(order.id);
    } finally {
      process.env.PAYMENT_ACTION_TIMEOUT_SECONDS = '60';
    }
    const execution = await local.waitForExecution(order.id, 30_000);
    expect(execution.status).toBe('SUCCEEDED');
    const view = await adminOrder(order.id);
    expect(view).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', payment: { declineCode: 'authentication_required' } });
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0 });
    const late = await answer(waiting.payment.nextAction.url, 'approve');
    expect(late.status).toBe(409);
    expect((await adminOrder(order.id)).status).toBe('FAILED');
  });

  it('cancel while waiting: CANCELLED, intent voided, stock released, a later approval is refused', async () => {
    const code = await createProduct(5);
    const order = await placeOrder(code, 'pm_card_threeDSecure2Required');
    const waiting = await waitingOrder(order.id);
    const res = await local.api(`/orders/${order.id}/cancel`, { as: 'customer', method: 'POST' });
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toMatchObject({ status: 'CANCELLED' });
    expect((await answer(waiting.payment.nextAction.url, 'approve')).status).toBe(409);

    const execution = await local.waitForExecution(order.id);
    expect(execution.status).toBe('SUCCEEDED');
    const view = await adminOrder(order.id);
    expect(view.status).toBe('CANCELLED');
    expect(statuses(view)).toEqual(['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'CANCELLED']);
    expect(view.paymentRecord.status).toBe('voided');
    expect(await levels(code)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('answers 400 for a bad outcome, 415 for other media types and 404 for unknown intents, changing nothing', async () => {
    const code = await createProduct(2);
    const order = await placeOrder(code, 'pm_card_threeDSecure2Required');
    const { payment } = await waitingOrder(order.id);
    expect((await answer(payment.nextAction.url, 'maybe')).status).toBe(400);
    expect((await fetch(payment.nextAction.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'approve' })).status).toBe(415);
    expect((await answer(`${local.stack.apiUrl}/sandbox/payments/pi_sbx_000000000000000000000000`, 'approve')).status).toBe(404);
    expect((await fetch(`${local.stack.apiUrl}/sandbox/payments/not-an-intent`)).status).toBe(404);
    expect((await myOrder(order.id)).status).toBe('PAYMENT_ACTION_REQUIRED');
    await local.api(`/orders/${order.id}/cancel`, { as: 'customer', method: 'POST' });
    await local.waitForExecution(order.id);
  });
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sandbox cards that misbehave later', () => {
  it('pm_card_refundFail: the refund is accepted, then fails; the amount is refundable again and the order needs attention', async () => {
    const code = await createProduct(5);
    const order = await placeOrder(code, 'pm_card_refundFail');
    expect((await local.waitForExecution(order.id)).status).toBe('SUCCEEDED');
    const res = await local.api(`/admin/orders/${order.id}/refund`, {
      as: 'admin',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `refund-${order.id}` },
      body: JSON.stringify({ amount: 1000 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ payment: { status: 'partially_refunded', amountRefunded: 1000 } });

    const view = await until(() => adminOrder(order.id), (o) => Boolean(o.paymentRecord.refunds[0]?.failedAt), 'the refund to fail');
    expect(view.paymentRecord).toMatchObject({ status: 'captured', amountRefunded: 0 });
    expect(view.needsAttention).toMatchObject({ kind: 'refund-failed' });
    expect(view.timeline.some((t: { actor: string }) => t.actor === 'stripe:refund.failed')).toBe(true);

    // The sandbox gave the amount back too: a new refund of everything goes through.
    const again = await local.api(`/admin/orders/${order.id}/refund`, { as: 'admin', method: 'POST', headers: { 'idempotency-key': `refund-all-${order.id}` } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ payment: { amountRefunded: 3998 } });
  });

  it('pm_card_createDispute: disputed shortly after capture, listed by GET /admin/disputes?status=', async () => {
    const code = await createProduct(5);
    const order = await placeOrder(code, 'pm_card_createDispute');
    expect((await local.waitForExecution(order.id)).status).toBe('SUCCEEDED');
    const view = await until(() => adminOrder(order.id), (o) => Boolean(o.paymentRecord.dispute), 'the dispute');
    expect(view.paymentRecord.dispute).toMatchObject({ status: 'needs_response', reason: 'fraudulent', amount: 3998, evidenceDueBy: expect.any(String) });
    expect(view.needsAttention).toMatchObject({ kind: 'dispute' });
    const list = (await (await local.api('/admin/disputes?status=needs_response', { as: 'admin' })).json()) as any;
    expect(list.items.map((i: { orderId: string }) => i.orderId)).toContain(order.id);
    expect((await local.api('/admin/disputes?status=nonsense', { as: 'admin' })).status).toBe(400);
    expect((await local.api('/admin/disputes', { as: 'customer' })).status).toBe(403);
  });
});
