import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from '../../../functions/domain/zod';
import { handler as getMyOrder } from '../../../functions/api/get-my-order';
import { handler as listMyOrders } from '../../../functions/api/list-my-orders';
import { handler as placeOrder } from '../../../functions/api/place-order';
import { SUCCESS_RESPONSES } from '../../../lib/openapi-responses';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { useIsolatedTables } from '../../support/dynamo';
import { createPendingOrder, createProduct, orderBody } from './fixtures';

/**
 * The OpenAPI document cannot drift from what the handlers answer: real answers of the order view, the
 * order list (both pages of a cursor) and POST /orders, against DynamoDB Local, validate against the schemas
 * the document's response bodies are generated from (lib/openapi-responses.ts; test/infra/openapi.test.ts
 * proves the committed document is that generation). The schemas are strict: a field the handler adds and
 * the document does not name fails here.
 */
useIsolatedTables();
const caller = { sub: 'openapi-user', username: 'openapi-user' };
const body = (result: unknown) => JSON.parse(String((result as APIGatewayProxyStructuredResultV2).body));
const status = (result: unknown) => (result as APIGatewayProxyStructuredResultV2).statusCode;
const documented = (route: string) => SUCCESS_RESPONSES[route]!;
const expectValid = (route: string, value: unknown) => {
  const result = z.safeParse(documented(route).schema as z.ZodMiniType, value);
  expect({ route, issues: result.success ? [] : result.error.issues }).toEqual({ route, issues: [] });
};

beforeAll(async () => {
  await createProduct('OAS-1', 10);
});

it('the order view a customer gets validates against its documented schema, and an undocumented field would not', async () => {
  const order = await createPendingOrder([{ sku: 'OAS-1', quantity: 2 }], caller.sub);
  const result = await getMyOrder(httpEvent({ path: `/orders/${order.id}`, routeKey: 'GET /orders/{id}', pathParameters: { id: order.id }, caller }), lambdaContext());
  expect(status(result)).toBe(documented('GetMyOrder').status);
  const view = body(result);
  expectValid('GetMyOrder', view);
  expect(z.safeParse(documented('GetMyOrder').schema as z.ZodMiniType, { ...view, internalNote: 'x' }).success).toBe(false);
});

it('both pages of the order list validate against the documented page schema (nextCursor a string, then null)', async () => {
  for (let i = 0; i < 2; i++) await createPendingOrder([{ sku: 'OAS-1', quantity: 1 }], caller.sub);
  const first = await listMyOrders(httpEvent({ path: '/orders', query: { limit: '2' }, caller }), lambdaContext());
  expect(status(first)).toBe(documented('ListMyOrders').status);
  const page = body(first);
  expectValid('ListMyOrders', page);
  expect(page.items).toHaveLength(2);
  expect(typeof page.nextCursor).toBe('string');
  const second = body(await listMyOrders(httpEvent({ path: '/orders', query: { limit: '2', cursor: page.nextCursor }, caller }), lambdaContext()));
  expectValid('ListMyOrders', second);
  expect(second.nextCursor).toBeNull();
});

it('POST /orders answers with the documented status and order schema', async () => {
  const result = await placeOrder(httpEvent({ method: 'POST', path: '/orders', headers: { 'idempotency-key': 'openapi-1' }, body: JSON.stringify(orderBody([{ sku: 'OAS-1', quantity: 1 }])), caller }), lambdaContext());
  expect(status(result)).toBe(documented('PlaceOrder').status);
  expectValid('PlaceOrder', body(result));
});
