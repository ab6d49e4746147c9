import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { tableSnapshot, useIsolatedTables } from '../../support/dynamo';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { productStore } from '../../../functions/adapters/product-store';
import { createProduct, orderBody } from './fixtures';
import { orderIdFor } from '../../../functions/domain/order-identity';

const tables = useIsolatedTables();
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:orders';
// Loaded after the tables' environment is set, as on Lambda.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler: placeOrder } = require('../../../functions/api/place-order') as typeof import('../../../functions/api/place-order');
const sfn = mockClient(SFNClient);
sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

const caller = { sub: 'cust-1', username: 'customer@example.com' };
let keyCounter = 0;
const post = async (body: unknown, headers: Record<string, string> = { 'idempotency-key': `k-${keyCounter++}` }) => {
  const res = (await placeOrder(
    httpEvent({ method: 'POST', path: '/orders', body: typeof body === 'string' ? body : JSON.stringify(body), headers, caller }),
    lambdaContext('PlaceOrder'),
  )) as { statusCode: number; headers: Record<string, string>; body: string };
  return { ...res, json: JSON.parse(res.body) };
};
const snapshot = () => tableSnapshot(tables.tableName);

beforeAll(async () => {
  await createProduct('VALID-1', 10);
  await createProduct('RETIRED', 10);
  await productStore.update('RETIRED', { active: false });
});

const valid = orderBody([{ sku: 'VALID-1', quantity: 1 }]);

describe('POST /orders rejects bad input with a 4xx problem and writes nothing', () => {
  let before: Record<string, unknown>[];
  beforeEach(async () => {
    before = await snapshot();
    sfn.resetHistory();
  });
  afterEach(async () => {
    expect(await snapshot()).toEqual(before);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  const cases: [string, number, unknown, string?][] = [
    ['no lines', 400, { ...valid, items: [] }, 'items'],
    ['51 lines', 400, { ...valid, items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) }, 'items'],
    ['duplicate SKUs', 400, { ...valid, items: [{ sku: 'VALID-1', quantity: 1 }, { sku: 'VALID-1', quantity: 1 }] }, 'items.1.sku'],
    ['quantity 0', 400, { ...valid, items: [{ sku: 'VALID-1', quantity: 0 }] }, 'items.0.quantity'],
    ['quantity 101', 400, { ...valid, items: [{ sku: 'VALID-1', quantity: 101 }] }, 'items.0.quantity'],
    ['country not alpha-2', 400, { ...valid, shippingAddress: { ...valid.shippingAddress, country: 'GBR' } }, 'shippingAddress.country'],
    ['invalid email', 400, { ...valid, customer: { ...valid.customer, email: 'ada@' } }, 'customer.email'],
    ['missing address line', 400, { ...valid, shippingAddress: { ...valid.shippingAddress, line1: undefined } }, 'shippingAddress.line1'],
    ['missing payment', 400, { ...valid, payment: undefined }, 'payment'],
    ['unknown field', 400, { ...valid, couponCode: 'FREE' }, '(root)'],
    ['a price from the client', 400, { ...valid, items: [{ sku: 'VALID-1', quantity: 1, unitPrice: { amount: 1, currency: 'USD' } }] }, 'items.0'],
    ['unknown SKU', 422, orderBody([{ sku: 'VALID-1', quantity: 1 }, { sku: 'NOPE-404', quantity: 1 }]), 'items.1.sku'],
    ['inactive SKU', 422, orderBody([{ sku: 'RETIRED', quantity: 1 }]), 'items.0.sku'],
  ];

  it.each(cases)('%s → %d', async (_, status, body, path) => {
    const res = await post(body);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    if (path) expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    if (status === 422) expect(res.json.detail).toMatch(/NOPE-404|RETIRED/);
  });

  it('malformed JSON → 400', async () => {
    expect((await post('{"customer":')).statusCode).toBe(400);
  });

  it('missing Idempotency-Key → 400', async () => {
    const res = await post(valid, {});
    expect(res.statusCode).toBe(400);
    expect(res.json.detail).toMatch(/Idempotency-Key/);
  });

  it.each([['empty', ''], ['too long', 'k'.repeat(256)], ['with spaces', 'my key']])('Idempotency-Key %s → 400', async (_, key) => {
    expect((await post(valid, { 'idempotency-key': key })).statusCode).toBe(400);
  });
});

describe('POST /orders accepts a valid order', () => {
  it('202 with catalogue prices, PENDING, a Location; no workflow start on the request path', async () => {
    sfn.resetHistory();
    const res = await post(orderBody([{ sku: 'VALID-1', quantity: 3 }]), { 'idempotency-key': 'intent-1' });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/orders/${res.json.id}`);
    expect(res.json).toMatchObject({ status: 'PENDING', total: { amount: 3000, currency: 'USD' } });
    expect(res.json.items[0]).toMatchObject({ sku: 'VALID-1', quantity: 3, unitPrice: { amount: 1000, currency: 'USD' } });
    // The id is the intent's: (customer, Idempotency-Key); the outbox consumer starts the workflow later.
    expect(res.json.id).toBe(orderIdFor(caller.sub, 'intent-1'));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('the same key and body, however late, answers with the same order and creates nothing', async () => {
    const body = orderBody([{ sku: 'VALID-1', quantity: 2 }]);
    const first = await post(body, { 'idempotency-key': 'intent-2' });
    const after = await snapshot();
    // Key order and spacing do not make another request.
    const again = await post(JSON.stringify(JSON.parse(JSON.stringify(body)), null, 2), { 'idempotency-key': 'intent-2' });
    expect(again.statusCode).toBe(202);
    expect(again.json.id).toBe(first.json.id);
    expect(await snapshot()).toEqual(after);
  });

  it('the same key with another body is a 422 and changes nothing', async () => {
    await post(orderBody([{ sku: 'VALID-1', quantity: 1 }]), { 'idempotency-key': 'intent-3' });
    const after = await snapshot();
    const res = await post(orderBody([{ sku: 'VALID-1', quantity: 4 }]), { 'idempotency-key': 'intent-3' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await snapshot()).toEqual(after);
  });

  it('20 concurrent requests with one key make one order, all answered with its id', async () => {
    const body = orderBody([{ sku: 'VALID-1', quantity: 1 }]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body, { 'idempotency-key': 'intent-4' })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => a.json.id))).toEqual(new Set([orderIdFor(caller.sub, 'intent-4')]));
    const orders = (await snapshot()).filter((item) => item.entity === 'ORDER' && item.id === orderIdFor(caller.sub, 'intent-4'));
    expect(orders).toHaveLength(1);
  });
});
