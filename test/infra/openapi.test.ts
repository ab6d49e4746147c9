import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, handlerSpec, jsonSchema, OPENAPI_FILES, serialize, successResponse } from '../../lib/openapi';
import { SUCCESS_RESPONSES } from '../../lib/openapi-responses';
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

it('every route documents its success response, with a status its handler answers with, and its body schema', () => {
  expect(Object.keys(SUCCESS_RESPONSES).sort()).toEqual(routes.map((r) => r.name).sort());
  const components = generated.components.schemas as Record<string, unknown>;
  for (const route of routes) {
    const success = successResponse(route);
    const op = (generated.paths as Record<string, Record<string, Operation>>)[route.path]![route.method.toLowerCase()]!;
    const documented = op.responses[String(success.status)] as { content?: Record<string, { schema: { $ref?: string } }> } | undefined;
    expect({ route: route.name, documented: Boolean(documented) }).toEqual({ route: route.name, documented: true });
    // The handler's own source answers with this status (json(201, …), statusCode: 204) when it names any.
    const source = readFileSync(path.join(root, route.entry), 'utf8');
    const answers = [...source.matchAll(/json\((\d{3})|statusCode: (\d{3})/g)].map((m) => Number(m[1] ?? m[2]));
    const statuses = [success.status, ...(success.alternative ? [success.alternative.status] : [])];
    if (answers.length) expect({ route: route.name, statuses: statuses.filter((s) => !answers.includes(s)) }).toEqual({ route: route.name, statuses: [] });
    if (success.status === 204) expect(documented!.content).toBeUndefined();
    else expect(documented!.content).toBeDefined();
    const ref = documented!.content?.['application/json']?.schema.$ref;
    if (success.schema) expect({ route: route.name, ref, exists: Boolean(ref && components[ref.split('/').at(-1)!]) }).toEqual({ route: route.name, ref: expect.any(String), exists: true });
  }
  // The order view, lists with cursors, webhooks and returns are described, not just "an object".
  for (const name of ['GetMyOrder', 'ListMyOrders', 'PlaceOrder', 'AdminListOrders', 'AdminListWebhooks', 'AdminCreateWebhook', 'AdminListWebhookDeliveries', 'RequestReturn', 'ListMyReturns', 'AdminListReturns']) {
    expect({ name, described: Boolean(SUCCESS_RESPONSES[name]!.schema) }).toEqual({ name, described: true });
  }
  expect(components.OrderPage).toMatchObject({ required: ['items', 'nextCursor'], properties: { items: { items: { $ref: '#/components/schemas/Order' } } } });
});

it('a route without a documented success response cannot be documented', () => {
  expect(() => buildOpenApiDocument([{ ...routes[0]!, name: 'Undocumented' }])).toThrow(/no documented success response/);
});
