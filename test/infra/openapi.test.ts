import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, handlerSpec, jsonSchema, OPENAPI_FILES, serialize } from '../../lib/openapi';
import { routes, type Route } from '../../lib/routes';

/**
 * The OpenAPI document and the route table cannot drift: the committed document (served by GET /openapi.json,
 * published in docs/) is exactly what the route table and the handlers' zod schemas generate now, it has
 * every route and nothing else, each with the route's auth, and each handler checks the auth its route
 * declares. After changing a route or a schema: `npm run openapi`.
 */
const root = path.resolve(__dirname, '..', '..');
const generated = buildOpenApiDocument();
type Operation = { operationId: string; 'x-auth': string; security: Record<string, unknown>[]; requestBody?: { content: Record<string, { schema: unknown }> }; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> };
const operations = (doc: typeof generated) =>
  Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ path: p, method: method.toUpperCase(), op: op as Operation })));

it.each(OPENAPI_FILES)('%s is up to date (npm run openapi)', (file) => {
  expect(readFileSync(path.join(root, file), 'utf8')).toBe(serialize(generated));
});

it('has every route of the table, with its auth, and nothing else', () => {
  const documented = operations(generated).map((o) => `${o.method} ${o.path} ${o.op.operationId} ${o.op['x-auth']}`).sort();
  expect(documented).toEqual(routes.map((r) => `${r.method} ${r.path} ${r.name} ${r.auth}`).sort());
  for (const { op } of operations(generated)) {
    const expected = op['x-auth'] === 'public' ? [] : op['x-auth'] === 'admin' ? [{ adminJwt: [] }] : [{ customerJwt: [] }];
    expect({ id: op.operationId, security: op.security }).toEqual({ id: op.operationId, security: expected });
    expect(op.responses.default).toEqual({ description: expect.any(String), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  }
});

it('each handler checks the auth level its route declares, and the document carries its schemas', () => {
  for (const route of routes) {
    const spec = handlerSpec(route);
    expect({ route: route.name, auth: spec.auth }).toEqual({ route: route.name, auth: route.auth });
    const op = (generated.paths as Record<string, Record<string, Operation>>)[route.path]![route.method.toLowerCase()]!;
    if (spec.body) expect(op.requestBody!.content['application/json']!.schema).toEqual(jsonSchema(spec.body));
    for (const name of [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) expect(op.parameters).toContainEqual(expect.objectContaining({ name, in: 'path' }));
  }
});

it('a changed auth level or route is caught', () => {
  const changed: Route[] = routes.map((r) => (r.name === 'AdminListWebhooks' ? { ...r, auth: 'customer' } : r));
  expect(serialize(buildOpenApiDocument(changed))).not.toBe(serialize(generated));
  expect(() => handlerSpec({ ...routes[0]!, entry: 'functions/webhooks/events.ts' })).toThrow(/api\(\)/);
});
