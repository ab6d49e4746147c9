import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { tableSnapshot, useIsolatedTables } from '../../support/dynamo';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { productStore } from '../../../functions/adapters/product-store';
import { createProduct, orderBody } from './fixtures';

const tables = useIsolatedTables();
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:orders';
// Loaded after the tables' environment is set: the handler builds its idempotency store at import, as on Lambda.
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
  it('202 with catalogue prices, PENDING, a Location, and one workflow start named by the order id', async () => {
    const res = await post(orderBody([{ sku: 'VALID-1', quantity: 3 }]));
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/orders/${res.json.id}`);
    expect(res.json).toMatchObject({ status: 'PENDING', total: { amount: 3000, currency: 'USD' } });
    expect(res.json.items[0]).toMatchObject({ sku: 'VALID-1', quantity: 3, unitPrice: { amount: 1000, currency: 'USD' } });
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input.name).toBe(res.json.id);
  });

  it('accepts the order when the start answered with an error but the saga is in fact running', async () => {
    const { reserveStock } = await import('../../../functions/orders/service');
    sfn.on(StartExecutionCommand).callsFake(async (input: { name: string }) => {
      await reserveStock(input.name); // the execution ran its first step…
      throw new Error('socket hang up'); // …and only the answer to StartExecution was lost
    });
    const res = await post(orderBody([{ sku: 'VALID-1', quantity: 1 }]));
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    expect(res.statusCode).toBe(202);
    const { orderStore } = await import('../../../functions/adapters/order-store');
    expect(await orderStore.get(res.json.id)).toMatchObject({ status: 'RESERVED' });
  });

  it('withdraws the order and answers 503 when the workflow cannot start, so nothing is left PENDING', async () => {
    sfn.on(StartExecutionCommand).rejectsOnce(new Error('Step Functions unavailable'));
    const before = await snapshot();
    const res = await post(orderBody([{ sku: 'VALID-1', quantity: 1 }]));
    expect(res.statusCode).toBe(503);
    expect(await snapshot()).toEqual(before);
  });
});
