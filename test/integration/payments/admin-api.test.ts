import { useIsolatedTables } from '../../support/dynamo';
import { handler as refund } from '../../../functions/api/admin-refund-order';
import { handler as listPayments } from '../../../functions/api/admin-list-payments';
import { authorizeOrderPayment, captureOrderPayment } from '../../../functions/payments/service';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { createOrder, invoke, scanTable } from './support/fixtures';

useIsolatedTables();

const admin = ['admin'];
const refundCall = (orderId: string, body?: unknown, groups: string[] | null = admin, raw?: string, idempotencyKey?: string) =>
  invoke(refund, {
    method: 'POST',
    path: `/admin/orders/${orderId}/refund`,
    pathParameters: { id: orderId },
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    groups: groups ?? undefined,
  });

async function capturedOrder(total = 5000) {
  const order = await createOrder({ total: { amount: total, currency: 'USD' } });
  await authorizeOrderPayment(order);
  await captureOrderPayment(order.id);
  return order;
}

describe('POST /admin/orders/{id}/refund', () => {
  it('a retried refund with the same Idempotency-Key refunds once; the key with another amount is 422', async () => {
    const order = await capturedOrder();
    const key = `refund-${order.id}`;
    const [first, second] = await Promise.all([refundCall(order.id, { amount: 700 }, admin, undefined, key), refundCall(order.id, { amount: 700 }, admin, undefined, key)]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses[0]).toBe(200); // the other is the replay (200) or was still in flight (409)
    expect([200, 409]).toContain(statuses[1]);
    const replay = await refundCall(order.id, { amount: 700 }, admin, undefined, key);
    expect(replay.statusCode).toBe(200);
    expect((await paymentStore.get(order.id))!.amountRefunded).toBe(700);
    expect((await refundCall(order.id, { amount: 800 }, admin, undefined, key)).statusCode).toBe(422);
    // Without a key each request is its own refund.
    expect((await refundCall(order.id, { amount: 100 })).statusCode).toBe(200);
    expect((await refundCall(order.id, { amount: 100 })).statusCode).toBe(200);
    expect((await paymentStore.get(order.id))!.amountRefunded).toBe(900);
  });

  it('the key names the refund for as long as the payment lives: a repeat of a full refund is 200, not 409, and is audited as a repeat', async () => {
    const order = await capturedOrder();
    const key = `refund-all-${order.id}`;
    const first = await refundCall(order.id, undefined, admin, undefined, key);
    expect(first.body.payment).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    const again = await refundCall(order.id, undefined, admin, undefined, key);
    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual(first.body);
    // Another key is another refund: nothing is left to refund.
    expect((await refundCall(order.id, undefined, admin, undefined, `${key}-2`)).statusCode).toBe(409);
    // The key is in the payment record with what it asked; no record in any other table.
    const record = (await paymentStore.get(order.id))!;
    expect(record.refunds).toEqual([expect.objectContaining({ requestKey: key, requestFingerprint: 'remaining', amount: 5000 })]);
    const audits = (await scanTable()).filter((item) => item.action === 'order.refund' && item.target === `order:${order.id}`);
    expect(audits.map((a) => a.details)).toEqual([
      { amount: 'remaining', currency: 'USD' },
      { amount: 'remaining', currency: 'USD', repeat: true },
    ]);
  });

  it('a refund whose provider answer was lost is finished by the retry with its key, with the same provider key (refunded once)', async () => {
    const order = await capturedOrder();
    const key = `refund-lost-${order.id}`;
    // The claim as a request that died after Stripe (here the sandbox) was asked would leave it, aged past
    // the in-flight window: the provider refunded, the record never heard.
    const record = (await paymentStore.get(order.id))!;
    const sandbox = new SandboxGateway();
    await sandbox.refund(order.id, record.intentId!, { amount: 700, sequence: 1 });
    await paymentStore.save(
      { ...record, refundSequence: 1, pendingRefund: { sequence: 1, amount: 700, baseRefunded: 0, requestedAt: new Date(Date.now() - 120_000).toISOString(), actor: 'admin:admin-user', requestKey: key, requestFingerprint: '700' } },
      record.version,
      { syncOrder: false },
    );
    expect((await refundCall(order.id, { amount: 800 }, admin, undefined, key)).statusCode).toBe(422);
    const retried = await refundCall(order.id, { amount: 700 }, admin, undefined, key);
    expect(retried.statusCode).toBe(200);
    expect(retried.body.payment).toMatchObject({ status: 'partially_refunded', amountRefunded: 700 });
    const after = (await paymentStore.get(order.id))!;
    expect(after.pendingRefund).toBeUndefined();
    expect(after.refunds).toEqual([expect.objectContaining({ sequence: 1, amount: 700, requestKey: key })]);
    expect((await refundCall(order.id, { amount: 700 }, admin, undefined, key)).body.payment.amountRefunded).toBe(700);
    const intent = await sandbox.get(record.intentId!);
    expect(intent?.events.filter((e) => e.type === 'refunded')).toHaveLength(1);
    expect(intent?.amountRefunded).toBe(700);
  });

  it('a request with another key behind a stale keyed claim finishes that refund, then makes its own', async () => {
    const order = await capturedOrder();
    const record = (await paymentStore.get(order.id))!;
    const sandbox = new SandboxGateway();
    await sandbox.refund(order.id, record.intentId!, { amount: 700, sequence: 1 });
    await paymentStore.save(
      { ...record, refundSequence: 1, pendingRefund: { sequence: 1, amount: 700, baseRefunded: 0, requestedAt: new Date(Date.now() - 120_000).toISOString(), actor: 'admin:admin-user', requestKey: 'first', requestFingerprint: '700' } },
      record.version,
      { syncOrder: false },
    );
    // Same amount, other key: not a retry of "first".
    const second = await refundCall(order.id, { amount: 700 }, admin, undefined, 'second');
    expect(second.statusCode).toBe(200);
    expect(second.body.payment).toMatchObject({ amountRefunded: 1400 });
    expect((await paymentStore.get(order.id))!.refunds.map((r) => [r.sequence, r.requestKey])).toEqual([[1, 'first'], [2, 'second']]);
    expect((await sandbox.get(record.intentId!))?.events.filter((e) => e.type === 'refunded')).toHaveLength(2);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not visible ASCII', 'clé avec espace'],
  ])('refuses an Idempotency-Key %s with 400 and refunds nothing', async (_label, key) => {
    const order = await capturedOrder();
    const response = await refundCall(order.id, { amount: 100 }, admin, undefined, key);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: '(root)' })]);
    expect((await paymentStore.get(order.id))!.amountRefunded).toBe(0);
  });

  it('refunds part, then (no body) the rest; answers with the order id and the payment summary', async () => {
    const order = await capturedOrder();
    const partial = await refundCall(order.id, { amount: 1200 });
    expect(partial.statusCode).toBe(200);
    expect(partial.body).toEqual({
      orderId: order.id,
      payment: expect.objectContaining({ status: 'partially_refunded', amountRefunded: 1200, amount: { amount: 5000, currency: 'USD' } }),
    });
    const rest = await refundCall(order.id);
    expect(rest.body.payment).toMatchObject({ status: 'refunded', amountRefunded: 5000 });
    const history = (await paymentStore.get(order.id))!.history;
    expect(history.at(-1)).toMatchObject({ status: 'refunded', source: 'admin:admin-user' });

    const again = await refundCall(order.id, {});
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatchObject({ type: '/problems/payment-already-refunded' });
  });

  it('404 for an unknown order, 409 before capture, 422 above the remaining amount', async () => {
    expect((await refundCall('ord_missing', { amount: 1 })).statusCode).toBe(404);

    const authorized = await createOrder();
    await authorizeOrderPayment(authorized);
    const notCaptured = await refundCall(authorized.id, { amount: 100 });
    expect(notCaptured.statusCode).toBe(409);
    expect(notCaptured.headers['content-type']).toBe('application/problem+json');
    expect(notCaptured.body.detail).toMatch(/captured when the order ships/);

    const order = await capturedOrder();
    const over = await refundCall(order.id, { amount: 5001 });
    expect(over.statusCode).toBe(422);
    expect(over.body).toMatchObject({ type: '/problems/refund-exceeds-remaining', errors: [{ path: 'amount', message: 'must be at most 5000' }] });
  });

  it.each([
    ['a zero amount', { amount: 0 }],
    ['a fractional amount', { amount: 10.5 }],
    ['an amount as a string', { amount: '100' }],
    ['an unknown field', { amount: 100, reason: 'because' }],
  ])('rejects %s with 400 and changes nothing', async (_label, body) => {
    const order = await capturedOrder();
    const before = await scanTable();
    const response = await refundCall(order.id, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(await scanTable()).toEqual(before);
  });

  it('rejects malformed JSON with 400', async () => {
    const order = await capturedOrder();
    expect((await refundCall(order.id, undefined, admin, '{"amount":')).statusCode).toBe(400);
  });

  it('is for admins only: 401 without a token, 403 for a customer', async () => {
    const order = await capturedOrder();
    expect((await refundCall(order.id, {}, null)).statusCode).toBe(401);
    expect((await refundCall(order.id, {}, ['customers'])).statusCode).toBe(403);
    expect((await paymentStore.get(order.id))?.amountRefunded).toBe(0);
  });
});

describe('GET /admin/payments', () => {
  const list = (query: Record<string, string> = {}, groups: string[] | null = admin) =>
    invoke(listPayments, { method: 'GET', path: '/admin/payments', query, groups: groups ?? undefined });

  it('lists newest first, filters by status, pages with a cursor, and shows no internals', async () => {
    const first = await capturedOrder();
    const second = await createOrder({ paymentMethodId: 'pm_card_chargeDeclined' });
    await authorizeOrderPayment(second);
    const third = await createOrder({ paymentMethodId: 'pm_card_amex' });
    await authorizeOrderPayment(third);

    const all = await list();
    expect(all.statusCode).toBe(200);
    const ids = all.body.items.map((p: { orderId: string }) => p.orderId);
    expect(ids.indexOf(third.id)).toBeLessThan(ids.indexOf(second.id));
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    const item = all.body.items.find((p: { orderId: string }) => p.orderId === third.id);
    expect(item).toMatchObject({ status: 'authorized', card: { brand: 'amex', last4: '8431' }, history: [expect.objectContaining({ status: 'authorized' })] });
    for (const hidden of ['pk', 'sk', 'gsi1pk', 'gsi3pk', 'version', 'refundSequence', 'entity']) expect(item).not.toHaveProperty(hidden);

    const declined = await list({ status: 'declined' });
    expect(declined.body.items.map((p: { orderId: string }) => p.orderId)).toEqual([second.id]);
    expect(declined.body.items[0].declineCode).toBe('generic_decline');

    const page1 = await list({ limit: '2' });
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await list({ limit: '2', cursor: page1.body.nextCursor });
    expect(page2.body.items.map((p: { orderId: string }) => p.orderId)).not.toContain(page1.body.items[0].orderId);
  });

  it('400 for a bad status, limit or cursor; 403 for customers', async () => {
    for (const query of <Record<string, string>[]>[{ status: 'paid' }, { limit: '0' }, { limit: '101' }, { cursor: 'not-a-cursor' }, { unknown: 'x' }]) {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
    }
    expect((await list({}, ['customers'])).statusCode).toBe(403);
    expect((await list({}, null)).statusCode).toBe(401);
  });
});
