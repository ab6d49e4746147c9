import { existsSync } from 'node:fs';
import path from 'node:path';
import { routes, type Route } from '../../lib/routes';
import { useLocalStack } from '../support/local-stack';

/**
 * Walks the whole route table against the running local stack: every non-public route rejects a request
 * without a token (the gateway's JWT authorizer), and every admin route rejects a signed-in customer (the
 * handler's group check). A route whose handler file doesn't exist yet is skipped by name, never passed.
 */
const local = useLocalStack({ seed: false });
const rootDir = path.resolve(__dirname, '../..');
const samplePath = (route: Route) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'sku' ? 'NO-SUCH-SKU' : name === 'trackingNumber' ? 'RR000000000US' : 'no-such-id'));
const implemented = (route: Route) => existsSync(path.join(rootDir, route.entry));
const label = (route: Route) => `${route.method} ${route.path}`;

const protectedRoutes = routes.filter((r) => r.auth !== 'public');
const adminRoutes = routes.filter((r) => r.auth === 'admin');
const missing = routes.filter((r) => !implemented(r));

test.each(protectedRoutes.map((r) => [label(r), r] as const))('%s → 401 without a token', async (_, route) => {
  const response = await local.api(samplePath(route), { method: route.method, headers: { 'content-type': 'application/json' }, body: route.method === 'GET' ? undefined : '{}' });
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
});

test.each(protectedRoutes.map((r) => [label(r), r] as const))('%s → 401 with a garbage token', async (_, route) => {
  const response = await local.api(samplePath(route), { method: route.method, token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' });
  expect(response.status).toBe(401);
});

const adminImplemented = adminRoutes.filter(implemented);
const adminMissing = adminRoutes.filter((r) => !implemented(r));

if (adminImplemented.length) {
  test.each(adminImplemented.map((r) => [label(r), r] as const))('%s → 403 for a signed-in customer', async (_, route) => {
    const response = await local.api(samplePath(route), {
      method: route.method,
      as: 'customer',
      headers: { 'content-type': 'application/json' },
      body: route.method === 'GET' ? undefined : '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ status: 403, title: 'Forbidden' });
  });
}

if (adminMissing.length) {
  // Listed by name so the gap is visible in every test report until the handlers land.
  test.skip.each(adminMissing.map((r) => [label(r), r.entry] as const))('%s → 403 for a customer: SKIPPED, handler %s does not exist yet', () => undefined);
}

test('public GET routes never demand a token (whatever else they answer, it is not 401/403 or a 5xx)', async () => {
  const publicImplemented = routes.filter((r) => r.auth === 'public' && implemented(r) && r.method === 'GET');
  expect(publicImplemented.length).toBeGreaterThan(0);
  const wrong: string[] = [];
  for (const route of publicImplemented) {
    const { status } = await local.api(samplePath(route));
    if (status === 401 || status === 403 || status >= 500) wrong.push(`${label(route)} → ${status}`);
  }
  expect(wrong).toEqual([]);
});

test('the report names every route without a handler yet', () => {
  // Not an assertion about behaviour: it keeps the list of unimplemented routes in the output.
  if (missing.length) console.warn(`Routes without a handler file yet:\n${missing.map((r) => `  ${label(r)} → ${r.entry}`).join('\n')}`);
  expect(missing.every((r) => !existsSync(path.join(rootDir, r.entry)))).toBe(true);
});
