import { readFileSync } from 'node:fs';
import path from 'node:path';
import { seedProducts } from '../../local/seed-data';
import { useLocalStack } from '../support/local-stack';

/** The foundation's end-to-end proof: the local stack serves the seeded catalogue and enforces auth with real cognito-local tokens. */
const local = useLocalStack();

const problem = async (response: Response) => {
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { status: number; title: string; type: string };
};

test('GET /health answers ok', async () => {
  const response = await local.api('/health');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('GET /products lists the seeded catalogue with prices in minor units and availability', async () => {
  const response = await local.api('/products?limit=100');
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items: { sku: string; price: { amount: number; currency: string }; available: number }[] };
  expect(body.items.map((p) => p.sku).sort()).toEqual(seedProducts.map((p) => p.sku).sort());
  const lamp = body.items.find((p) => p.sku === 'LAMP-DESK')!;
  expect(lamp.price).toEqual({ amount: 5900, currency: 'USD' });
  expect(lamp.available).toBe(6);
  expect(seedProducts.length).toBeGreaterThanOrEqual(8);
  // One product sits just above its threshold, so a small order fires a low-stock alert.
  expect(seedProducts.some((p) => p.onHand > p.lowStockThreshold && p.onHand - p.lowStockThreshold <= 2)).toBe(true);
});

test('GET /products/{sku} returns one product; unknown SKU is a 404 problem', async () => {
  const found = await local.api('/products/MUG-CLASSIC');
  expect(found.status).toBe(200);
  expect(await found.json()).toMatchObject({ sku: 'MUG-CLASSIC', name: 'Classic mug' });
  const missing = await local.api('/products/NOPE-123');
  expect(missing.status).toBe(404);
  expect((await problem(missing)).status).toBe(404);
});

test('cognito-local access tokens carry what the authorizer and handlers use', async () => {
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const admin = claimsOf(await local.token('admin'));
  const customer = claimsOf(await local.token('customer'));
  expect(admin).toMatchObject({ token_use: 'access', client_id: local.stack.cognito.clientId, 'cognito:groups': ['admin'], iss: `${local.stack.cognito.endpoint}/${local.stack.cognito.userPoolId}` });
  expect(admin.sub).toEqual(expect.any(String));
  expect(admin.username).toEqual(expect.any(String));
  expect(customer['cognito:groups']).toBeUndefined();
  expect(customer.sub).not.toBe(admin.sub);
});

describe('GET /admin/products (admin only)', () => {
  test('401 without a token', async () => {
    const response = await local.api('/admin/products');
    expect(response.status).toBe(401);
    expect((await problem(response)).title).toBe('Unauthorized');
  });

  test('401 with a token that is not a valid signature', async () => {
    const admin = await local.token('admin');
    const [header, payload] = admin.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not-the-signature').toString('base64url')}`;
    expect((await local.api('/admin/products', { token: forged })).status).toBe(401);
    expect((await local.api('/admin/products', { token: 'garbage' })).status).toBe(401);
  });

  test('401 with an ID token instead of an access token', async () => {
    const { signIn } = await import('../../local/cognito');
    const { idToken } = await signIn(local.stack.cognito, 'admin@example.com');
    expect((await local.api('/admin/products', { token: idToken })).status).toBe(401);
  });

  test('403 for a signed-in customer', async () => {
    const response = await local.api('/admin/products', { as: 'customer' });
    expect(response.status).toBe(403);
    expect((await problem(response)).title).toBe('Forbidden');
  });

  test('200 for an admin, with the admin view of products', async () => {
    const response = await local.api('/admin/products?limit=100', { as: 'admin' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { sku: string; lowStockThreshold: number; active: boolean }[] };
    expect(body.items).toHaveLength(seedProducts.length);
    expect(body.items[0]).toEqual(expect.objectContaining({ lowStockThreshold: expect.any(Number), active: true }));
  });
});

test('unknown routes are 404 and wrong methods 405, as problem+json', async () => {
  const notFound = await local.api('/nope', { headers: { accept: 'application/json' } });
  expect(notFound.status).toBe(404);
  expect((await problem(notFound)).status).toBe(404);
  const wrongMethod = await local.api('/health', { method: 'DELETE' });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get('allow')).toBe('GET');
});

test('/config.json tells the dashboard where the API and Cognito are', async () => {
  const response = await local.api('/config.json');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ apiUrl: local.stack.apiUrl, cognito: local.stack.cognito });
});

test('CORS: a localhost origin may call the API, other origins get no CORS grant', async () => {
  const preflight = await local.api('/orders', {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,idempotency-key' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  const foreign = await local.api('/health', { headers: { origin: 'https://evil.example' } });
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
});

test('restarting over the same data seeds nothing twice and keeps the user pool', async () => {
  // The stack under test seeded into fresh tables; a second seed into the same tables is a no-op.
  const { seedCatalogue } = await import('../../local/seed');
  expect(local.stack.seeded).toBe(seedProducts.length);
  expect(await seedCatalogue()).toEqual({ seeded: 0 });
  const pool = JSON.parse(readFileSync(path.join(local.stack.dataDir, 'cognito', '.cognito', 'db', 'clients.json'), 'utf8'));
  expect(JSON.stringify(pool)).toContain(local.stack.cognito.clientId);
});
