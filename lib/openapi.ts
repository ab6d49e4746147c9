import path from 'node:path';
import { toJSONSchema } from 'zod/v4/core';
import type { $ZodType } from 'zod/v4/core';
import type { ApiSpec } from '../functions/commons/http';
import { routes as routeTable, type Route } from './routes';
import { RESPONSE_SCHEMAS, SUCCESS_RESPONSES, type SuccessResponse } from './openapi-responses';

/**
 * The OpenAPI 3.1 document, generated from the route table (paths, methods, auth) and from the zod schemas
 * each handler validates with (`apiSpec` that `api()` attaches to every handler: body and query), so the
 * document cannot describe a request the handler would refuse. Run-time code may not import lib/, so the
 * document is generated at build time (`npm run openapi`) into functions/openapi/openapi.json, which
 * GET /openapi.json serves, and docs/openapi.json; test/infra/openapi.test.ts fails when either is stale or
 * when a route, a schema or an auth level differs from the route table.
 */
export const OPENAPI_FILES = ['functions/openapi/openapi.json', 'docs/openapi.json'];

type JsonSchema = Record<string, unknown>;

export function jsonSchema(schema: $ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const out = toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

/** The handler module's contract, loaded from its entry file. */
export function handlerSpec(route: Route, root = path.resolve(__dirname, '..')): ApiSpec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const spec = (require(path.join(root, route.entry)) as { handler?: { apiSpec?: ApiSpec } }).handler?.apiSpec;
  if (!spec) throw new Error(`${route.entry} does not export a handler built with api() (functions/commons/http.ts)`);
  return spec;
}

/** The documented success response of a route (lib/openapi-responses.ts); every route must have one. */
export function successResponse(route: Route): SuccessResponse {
  const success = SUCCESS_RESPONSES[route.name];
  if (!success) throw new Error(`${route.name} has no documented success response (lib/openapi-responses.ts)`);
  return success;
}

function successEntry(success: Omit<SuccessResponse, 'alternative'>) {
  if (success.status === 204) return { description: success.description };
  if (success.mediaType) return { description: success.description, content: { [success.mediaType]: { schema: { type: 'string', ...(success.mediaType.startsWith('text/') ? {} : { format: 'binary' }) } } } };
  return { description: success.description, content: { 'application/json': { schema: success.schema ? responseRef(success.schema) : { type: 'object' } } } };
}

const responseRef = (schema: $ZodType) => {
  const id = RESPONSE_SCHEMAS.get(schema)?.id;
  if (!id) throw new Error('A response schema must be named (lib/openapi-responses.ts named())');
  return { $ref: `#/components/schemas/${id}` };
};

/** The response schemas as components, referring to each other by $ref (what the handlers answer: io output). */
export function responseComponents(): Record<string, JsonSchema> {
  const { schemas } = toJSONSchema(RESPONSE_SCHEMAS, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

function operation(route: Route, spec: ApiSpec) {
  const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const parameters: unknown[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.query) {
    const q = jsonSchema(spec.query);
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, JsonSchema>)) {
      parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  const success = successResponse(route);
  const responses: Record<string, unknown> = { [String(success.status)]: successEntry(success) };
  if (success.alternative) responses[String(success.alternative.status)] = successEntry(success.alternative);
  if (spec.body || spec.query || spec.parsesOwnBody || route.method !== 'GET') responses['400'] = problem('The request is invalid (`errors` lists each field).');
  if (route.auth !== 'public') responses['401'] = problem('No valid access token.');
  if (route.auth === 'admin') responses['403'] = problem('The caller is not in the admin group.');
  if (pathParams.length) responses['404'] = problem('Not found.');
  responses['413'] = problem('The body is larger than 64 KB.');
  responses['503'] = problem('A dependency is briefly unavailable; retry after Retry-After seconds.');
  responses.default = problem('Any other error, as RFC 9457 problem details.');
  return {
    operationId: route.name,
    'x-auth': route.auth,
    security: route.auth === 'public' ? [] : route.auth === 'admin' ? [{ adminJwt: [] }] : [{ customerJwt: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
      : spec.parsesOwnBody
        ? { requestBody: { required: false, description: 'Read raw by the handler (signed webhooks verify the exact bytes).', content: { 'application/json': { schema: {} } } } }
        : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly Route[] = routeTable, root?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, handlerSpec(route, root));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Order Service',
      version: '1',
      description: 'Orders, inventory, payments, fulfillment and events for integrators. Errors are RFC 9457 application/problem+json. Generated from the route table and the handlers\' zod schemas (lib/openapi.ts).',
    },
    paths,
    components: {
      securitySchemes: {
        customerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito access token of the customer user pool.' },
        adminJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito access token of the admin user pool (group admin, TOTP MFA).' },
      },
      schemas: {
        ...responseComponents(),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}

export const serialize = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;
