import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { httpEvent, lambdaContext } from './events';

process.env.TABLE_NAME = 'unit-orders';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ddbMock = mockClient(DynamoDBDocumentClient);

import { handler as getMyOrder } from '../../../functions/api/get-my-order';
import { handler as adminListProducts } from '../../../functions/api/admin-list-products';
import { handler as adminCreateProduct } from '../../../functions/api/admin-create-product';
import { handler as listProducts } from '../../../functions/api/list-products';
import { handler as getProduct } from '../../../functions/api/get-product';
import { handler as cancelMyOrder } from '../../../functions/api/cancel-my-order';

const customer = { sub: 'user-a', username: 'customer@example.com' };
const admin = { sub: 'admin-1', username: 'admin@example.com', groups: ['admin'] };
const call = async (h: (e: any, c: any) => Promise<any>, event: ReturnType<typeof httpEvent>) => {
  const result = await h(event, lambdaContext());
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
};

beforeEach(() => ddbMock.reset());

describe('order ownership', () => {
  const order = { pk: 'ORDER#o1', sk: 'ORDER', id: '3b8f7a52-0a4e-4c41-9d7b-2f1b1e0c9a11', userId: 'user-b', status: 'PENDING', items: [], total: { amount: 0, currency: 'USD' }, customer: { name: 'B', email: 'b@example.com' }, shippingAddress: {}, timeline: [] };

  it("answers 404 for another customer's order, exactly like a missing one", async () => {
    ddbMock.on(GetCommand).resolves({ Item: order });
    const other = await call(getMyOrder, httpEvent({ path: '/orders/o1', pathParameters: { id: 'o1' }, caller: customer }));
    ddbMock.on(GetCommand).resolves({});
    const missing = await call(getMyOrder, httpEvent({ path: '/orders/o1', pathParameters: { id: 'o1' }, caller: customer }));
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toBe('application/problem+json');
    expect({ ...other.json, detail: '' }).toEqual({ ...missing.json, detail: '' });
    expect(other.body).not.toContain('b@example.com');
  });

  it('returns the owner their order without internal keys', async () => {
    ddbMock.on(GetCommand).resolves({ Item: { ...order, userId: 'user-a' } });
    const res = await call(getMyOrder, httpEvent({ path: '/orders/o1', pathParameters: { id: 'o1' }, caller: customer }));
    expect(res.statusCode).toBe(200);
    expect(res.json.id).toBe(order.id);
    expect(res.json).not.toHaveProperty('pk');
    expect(res.json).not.toHaveProperty('userId');
  });
});

describe('auth in the handler (defence in depth behind the gateway authorizer)', () => {
  it('an ID token (accepted by the HTTP API authorizer) is not enough: 401', async () => {
    const event = httpEvent({ path: '/admin/products', caller: admin });
    const claims = (event.requestContext as any).authorizer.jwt.claims;
    claims.token_use = 'id';
    expect((await call(adminListProducts, event)).statusCode).toBe(401);
  });

  it('401 without claims, 403 for a customer, 200 for an admin', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    expect((await call(adminListProducts, httpEvent({ path: '/admin/products' }))).statusCode).toBe(401);
    expect((await call(adminListProducts, httpEvent({ path: '/admin/products', caller: customer }))).statusCode).toBe(403);
    expect((await call(adminListProducts, httpEvent({ path: '/admin/products', caller: admin }))).statusCode).toBe(200);
  });
});

describe('bad input is a 4xx problem and writes nothing', () => {
  const create = (body: string, headers: Record<string, string> = {}) =>
    call(adminCreateProduct, httpEvent({ method: 'POST', path: '/admin/products', body, headers, caller: admin }));

  it('malformed JSON → 400', async () => {
    const res = await create('{"sku":');
    expect(res.statusCode).toBe(400);
    expect(res.json).toMatchObject({ status: 400, title: 'Bad Request', type: '/problems/malformed-json' });
  });

  it('invalid fields → 400 listing each path', async () => {
    const res = await create(JSON.stringify({ sku: 'bad sku', name: '', price: { amount: 1.5, currency: 'usd' }, lowStockThreshold: -1, extra: true }));
    expect(res.statusCode).toBe(400);
    const paths = res.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['sku', 'name', 'price.amount', 'price.currency', 'lowStockThreshold', '(root)']));
  });

  it('body over 64 KiB → 413', async () => {
    const res = await create(JSON.stringify({ sku: 'A', name: 'x'.repeat(70 * 1024) }));
    expect(res.statusCode).toBe(413);
  });

  it('non-JSON content type → 415', async () => {
    const res = await create('sku=A', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
  });

  afterEach(() => {
    // None of the rejected requests reached DynamoDB.
    expect(ddbMock.calls()).toHaveLength(0);
  });
});

describe('errors never leak internals', () => {
  it('an unexpected failure is a generic 500 problem without a stack', async () => {
    ddbMock.on(QueryCommand).rejects(new Error('connect ECONNREFUSED 10.0.0.1:443 at Socket.internal (node:net:1)'));
    const res = await call(listProducts, httpEvent({ path: '/products' }));
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).not.toMatch(/ECONNREFUSED|node:net|at /);
  });

  it('a cursor DynamoDB refuses (forged, or from another list) is a 400, not a 500', async () => {
    const forged = Buffer.from(JSON.stringify({ a: 'b' })).toString('base64url');
    ddbMock.on(QueryCommand).rejects(Object.assign(new Error('The provided starting key is invalid: The provided key element does not match the schema'), { name: 'ValidationException' }));
    const res = await call(listProducts, httpEvent({ path: '/products', query: { cursor: forged } }));
    expect(res.statusCode).toBe(400);
    expect(res.json.errors).toEqual([{ path: 'cursor', message: 'invalid cursor' }]);
  });

  it('path parameters that cannot name anything are a 404 before any lookup', async () => {
    const sku = 'A'.repeat(3000);
    expect((await call(getProduct, httpEvent({ path: `/products/${sku}`, pathParameters: { sku } }))).statusCode).toBe(404);
    const id = 'x'.repeat(3000);
    expect((await call(getMyOrder, httpEvent({ path: `/orders/${id}`, pathParameters: { id }, caller: customer }))).statusCode).toBe(404);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('a write endpoint without a body schema rejects a body with fields', async () => {
    const res = await call(cancelMyOrder, httpEvent({ method: 'POST', path: '/orders/o1/cancel', pathParameters: { id: 'o1' }, body: '{"reason":"x"}', caller: customer }));
    expect(res.statusCode).toBe(400);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('a bad cursor or limit is a 400', async () => {
    expect((await call(listProducts, httpEvent({ path: '/products', query: { limit: '0' } }))).statusCode).toBe(400);
    expect((await call(listProducts, httpEvent({ path: '/products', query: { limit: '101' } }))).statusCode).toBe(400);
    expect((await call(listProducts, httpEvent({ path: '/products', query: { cursor: 'not-a-cursor' } }))).statusCode).toBe(400);
  });
});
