import { createSign, generateKeyPairSync } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { accessTokenVerifierFromJwks } from '../../../local/jwt';
import { dashboardConnectSources, redactedRequestTarget } from '../../../local/gateway';
import { httpEvent, lambdaContext } from '../api/events';

process.env.TABLE_NAME = 'unit-orders';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.CURSOR_SECRET = 'c'.repeat(40);
const ddbMock = mockClient(DynamoDBDocumentClient);
// eslint-disable-next-line import/first
import { handler as listMyOrdersHandler } from '../../../functions/api/list-my-orders';
// eslint-disable-next-line import/first
import { handler as getMyOrderHandler } from '../../../functions/api/get-my-order';
// eslint-disable-next-line import/first
import { handler as listProductsHandler } from '../../../functions/api/list-products';
const listMyOrders = listMyOrdersHandler as unknown as (event: unknown, context: unknown) => Promise<any>;
const getMyOrder = getMyOrderHandler as unknown as (event: unknown, context: unknown) => Promise<any>;
const listProducts = listProductsHandler as unknown as (event: unknown, context: unknown) => Promise<any>;

beforeEach(() => ddbMock.reset());
const customer = { sub: 'user-a', username: 'user-a' };

describe('tokens must expire', () => {
  const withExp = (exp: unknown) => {
    const event = httpEvent({ path: '/orders', caller: customer });
    const claims = (event.requestContext as any).authorizer.jwt.claims;
    if (exp === undefined) delete claims.exp;
    else claims.exp = exp;
    return event;
  };

  it('the handler refuses claims without exp, with a past exp or a non-numeric one (401), and takes a future one', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    for (const exp of [undefined, '', 'soon', String(Math.floor(Date.now() / 1000) - 5)]) {
      const res = await listMyOrders(withExp(exp), lambdaContext());
      expect({ exp, status: res.statusCode }).toEqual({ exp, status: 401 });
    }
    const ok = await listMyOrders(withExp(String(Math.floor(Date.now() / 1000) + 60)), lambdaContext());
    expect(ok.statusCode).toBe(200);
  });

  it('the local gateway verifier refuses a correctly signed access token without exp', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'k1', alg: 'RS256', use: 'sig' };
    const issuer = 'http://localhost:1/local_pool';
    const verifier = accessTokenVerifierFromJwks({ keys: [jwk] } as unknown as Jwks, { jwksUri: `${issuer}/.well-known/jwks.json`, clientId: 'client-1', issuer });
    const sign = (payload: Record<string, unknown>) => {
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const body = `${enc({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${enc(payload)}`;
      return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: 'u1', iss: issuer, token_use: 'access', client_id: 'client-1', iat: now };
    expect(verifier.verify(sign({ ...base, exp: now + 600 }))).toMatchObject({ sub: 'u1' });
    expect(() => verifier.verify(sign(base))).toThrow(/expiry/);
    expect(() => verifier.verify(sign({ ...base, exp: now - 600 }))).toThrow();
  });
});

describe('Cache-Control: no-store on everything that can carry personal data', () => {
  it('customer routes: on success and on every error', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    ddbMock.on(GetCommand).resolves({});
    const ok = await listMyOrders(httpEvent({ path: '/orders', caller: customer }), lambdaContext());
    const notFound = await getMyOrder(httpEvent({ path: '/orders/o1', pathParameters: { id: 'o1' }, caller: customer }), lambdaContext());
    const unauthorized = await getMyOrder(httpEvent({ path: '/orders/o1', pathParameters: { id: 'o1' } }), lambdaContext());
    expect([ok.statusCode, notFound.statusCode, unauthorized.statusCode]).toEqual([200, 404, 401]);
    for (const res of [ok, notFound, unauthorized]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('public catalogue responses stay cacheable (no personal data)', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    const res = await listProducts(httpEvent({ path: '/products' }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBeUndefined();
  });
});

describe('local request logs', () => {
  it('keep the path and the parameter names, never the values', () => {
    expect(redactedRequestTarget('/admin/orders?email=jane%40example.com&status=PAID')).toBe('/admin/orders?email=…&status=…');
    expect(redactedRequestTarget('/admin/orders?q=Jane+Doe')).toBe('/admin/orders?q=…');
    expect(redactedRequestTarget('/products')).toBe('/products');
    expect(redactedRequestTarget('/products?')).toBe('/products');
  });

  it('the dashboard CSP connect-src names the API and Cognito origins from config.json', () => {
    expect(dashboardConnectSources({ apiUrl: 'http://localhost:3000', cognito: { endpoint: 'http://127.0.0.1:9229/' } })).toEqual(['http://localhost:3000', 'http://127.0.0.1:9229']);
    expect(dashboardConnectSources(undefined)).toEqual([]);
  });
});
