import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Route } from '../../lib/routes';
import { flattenClaims, startGateway, type LocalGateway } from '../../local/gateway';

/**
 * The local gateway must hand handlers the same API Gateway HTTP API payload v2 event AWS does, and apply
 * the payload v2 response rules. Fixture handlers echo what they received.
 */
const rootDir = path.resolve(__dirname, '../..');
const fixture = (name: string) => `test/support/fixtures/${name}.ts`;
const routes: Route[] = [
  { name: 'Echo', method: 'POST', path: '/things/{id}/parts/{part}', entry: fixture('echo-handler'), auth: 'customer' },
  { name: 'EchoLiteral', method: 'POST', path: '/things/special/parts/{part}', entry: fixture('echo-handler'), auth: 'public' },
  { name: 'PublicEcho', method: 'GET', path: '/public', entry: fixture('echo-handler'), auth: 'public' },
  { name: 'Plain', method: 'GET', path: '/plain', entry: fixture('plain-handler'), auth: 'public' },
  { name: 'Binary', method: 'GET', path: '/binary', entry: fixture('binary-handler'), auth: 'public' },
  { name: 'Throws', method: 'GET', path: '/throws', entry: fixture('throwing-handler'), auth: 'public' },
  { name: 'Missing', method: 'GET', path: '/missing', entry: fixture('no-such-handler'), auth: 'public' },
];

const claims = {
  sub: 'user-123',
  'cognito:groups': ['admin', 'ops'],
  client_id: 'client-1',
  username: 'user-123',
  token_use: 'access',
  exp: 2000000000,
  iat: 1700000000,
};
let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startGateway({
    rootDir,
    port: 0,
    routes,
    dashboardDir: path.join(rootDir, 'test/support/fixtures/no-dashboard'),
    verifier: {
      verify: (token) => {
        if (token !== 'good-token') throw new Error('invalid');
        return claims;
      },
    },
  });
});
afterAll(() => gateway.stop());

const echo = async (response: Response) => {
  expect(response.status).toBe(200);
  return (await response.json()) as { event: APIGatewayProxyEventV2WithJWTAuthorizer; context: { functionName: string; awsRequestId: string; remainingMs: number } };
};

test('builds a payload v2 event: route key, raw path and query, path parameters, headers, cookies, claims, text body', async () => {
  const response = await fetch(`${gateway.url}/things/a%20b/parts/p-1?x=1&y=two&x=3&flag`, {
    method: 'POST',
    headers: { authorization: 'Bearer good-token', 'content-type': 'application/json', 'X-Custom': 'Value', cookie: 'a=1; b=2', 'user-agent': 'jest-test' },
    body: JSON.stringify({ hello: 'wörld' }),
  });
  const { event, context } = await echo(response);
  expect(event.version).toBe('2.0');
  expect(event.routeKey).toBe('POST /things/{id}/parts/{part}');
  expect(event.rawPath).toBe('/things/a%20b/parts/p-1');
  expect(event.rawQueryString).toBe('x=1&y=two&x=3&flag');
  expect(event.queryStringParameters).toEqual({ x: '1,3', y: 'two', flag: '' });
  expect(event.pathParameters).toEqual({ id: 'a b', part: 'p-1' });
  expect(event.headers['x-custom']).toBe('Value');
  expect(event.headers['content-type']).toBe('application/json');
  expect(event.headers.cookie).toBeUndefined();
  expect(event.cookies).toEqual(['a=1', 'b=2']);
  expect(event.isBase64Encoded).toBe(false);
  expect(JSON.parse(event.body!)).toEqual({ hello: 'wörld' });

  const rc = event.requestContext;
  expect(rc.routeKey).toBe(event.routeKey);
  expect(rc.stage).toBe('$default');
  expect(rc.http).toEqual({ method: 'POST', path: '/things/a%20b/parts/p-1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest-test' });
  expect(rc.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  expect(Math.abs(rc.timeEpoch - Date.now())).toBeLessThan(10_000);
  // API Gateway presents every claim as a string, arrays as "[a b]".
  expect(rc.authorizer.jwt.claims).toEqual({
    sub: 'user-123',
    'cognito:groups': '[admin ops]',
    client_id: 'client-1',
    username: 'user-123',
    token_use: 'access',
    exp: '2000000000',
    iat: '1700000000',
  });

  expect(context.functionName).toBe('order-service-Echo');
  expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(context.remainingMs).toBeGreaterThan(10_000);
  expect(context.remainingMs).toBeLessThanOrEqual(15_000);

  // The v2 result's cookies become Set-Cookie headers.
  expect(response.headers.get('x-echo')).toBe('yes');
  expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
});

test('binary request bodies arrive base64-encoded with isBase64Encoded: true', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  const response = await fetch(`${gateway.url}/things/1/parts/2`, {
    method: 'POST',
    headers: { authorization: 'Bearer good-token', 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  const { event } = await echo(response);
  expect(event.isBase64Encoded).toBe(true);
  expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
});

test('a literal segment beats a path parameter, as in API Gateway', async () => {
  const { event } = await echo(await fetch(`${gateway.url}/things/special/parts/9`, { method: 'POST' }));
  expect(event.routeKey).toBe('POST /things/special/parts/{part}');
});

test('public routes carry no authorizer even when a token is sent; no body and no query are omitted', async () => {
  const { event } = await echo(await fetch(`${gateway.url}/public`, { headers: { authorization: 'Bearer good-token' } }));
  expect(event.requestContext.authorizer).toBeUndefined();
  expect(event.body).toBeUndefined();
  expect(event.queryStringParameters).toBeUndefined();
  expect(event.pathParameters).toBeUndefined();
  expect(event.rawQueryString).toBe('');
});

test('protected routes: missing or invalid token is 401 before the handler runs; the token without "Bearer" also works', async () => {
  expect((await fetch(`${gateway.url}/things/1/parts/2`, { method: 'POST' })).status).toBe(401);
  expect((await fetch(`${gateway.url}/things/1/parts/2`, { method: 'POST', headers: { authorization: 'Bearer bad' } })).status).toBe(401);
  expect((await fetch(`${gateway.url}/things/1/parts/2`, { method: 'POST', headers: { authorization: 'good-token' } })).status).toBe(200);
});

test('a result without statusCode becomes a 200 JSON body (payload v2 rules)', async () => {
  const response = await fetch(`${gateway.url}/plain`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({ hello: 'world', n: 1 });
});

test('an isBase64Encoded result is decoded to bytes', async () => {
  const response = await fetch(`${gateway.url}/binary`);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
});

test('a throwing handler is a 500 problem without internals; a missing handler is a 501 naming the file', async () => {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const response = await fetch(`${gateway.url}/throws`);
  spy.mockRestore();
  expect(response.status).toBe(500);
  const text = await response.text();
  expect(text).not.toContain('secret internal detail');
  expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal Server Error' });
  const missing = await fetch(`${gateway.url}/missing`);
  expect(missing.status).toBe(501);
  expect(await missing.text()).toContain('no-such-handler.ts');
});

test('without a dashboard build, / explains how to build it; other unknown paths are 404 problems', async () => {
  const home = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('build:dashboard');
  const unknown = await fetch(`${gateway.url}/nothing-here`, { headers: { accept: 'application/json' } });
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toBe('application/problem+json');
});

test('flattenClaims stringifies like API Gateway', () => {
  expect(flattenClaims({ a: ['x'], b: true, c: 5, d: null })).toEqual({ a: '[x]', b: 'true', c: '5' });
});

describe('dashboard static files', () => {
  let withDashboard: LocalGateway;
  beforeAll(async () => {
    withDashboard = await startGateway({
      rootDir,
      port: 0,
      routes,
      dashboardDir: path.join(rootDir, 'test/support/fixtures/dashboard-dist'),
      publicConfig: () => ({ apiUrl: 'http://localhost:1234' }),
      verifier: { verify: () => claims },
    });
  });
  afterAll(() => withDashboard.stop());

  test('/ is index.html, assets get their content type, /config.json is served', async () => {
    const home = await fetch(`${withDashboard.url}/`);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(await home.text()).toContain('fixture dashboard');
    const asset = await fetch(`${withDashboard.url}/assets/app.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(await asset.text()).toContain('fixture asset');
    expect(await (await fetch(`${withDashboard.url}/config.json`)).json()).toEqual({ apiUrl: 'http://localhost:1234' });
  });

  test('SPA fallback for page navigations only; missing assets and traversal attempts are 404', async () => {
    const page = await fetch(`${withDashboard.url}/some/client/page`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(await page.text()).toContain('fixture dashboard');
    expect((await fetch(`${withDashboard.url}/assets/missing.js`, { headers: { accept: '*/*' } })).status).toBe(404);
    const traversal = await fetch(`${withDashboard.url}/..%2F..%2Fpackage.json`, { headers: { accept: '*/*' } });
    expect(traversal.status).toBe(404);
  });

  test('API routes win over static files', async () => {
    const response = await fetch(`${withDashboard.url}/plain`, { headers: { accept: 'text/html' } });
    expect(await response.json()).toEqual({ hello: 'world', n: 1 });
  });
});
