import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { orderStore } from '../../../../functions/adapters/order-store';
import type { Order } from '../../../../functions/domain/order';

/** An order as the orders module stores it, in status RESERVED (ready for the charge step). */
export async function createOrder(over: Partial<Order> = {}): Promise<Order> {
  const at = new Date().toISOString();
  const order: Order = {
    id: `ord_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    userId: 'user-1',
    status: 'RESERVED',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' },
    shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    items: [{ sku: 'WIDGET-1', name: 'Widget', quantity: 2, unitPrice: { amount: 2500, currency: 'USD' }, lineTotal: { amount: 5000, currency: 'USD' } }],
    total: { amount: 5000, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: 'RESERVED',
    timeline: [{ at, status: 'PENDING', actor: 'customer', reason: 'order placed' }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
  await orderStore.create(order);
  return order;
}

export { tableSnapshot as scanTable } from '../../../support/dynamo';

const context = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export interface HttpCall {
  method: string;
  path: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** Cognito groups of the caller; undefined = no token. */
  groups?: string[];
}

/** An API Gateway HTTP API (payload v2) event, with JWT claims as the authorizer puts them. */
export function httpEvent(call: HttpCall): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${call.method} ${call.path}`,
    rawPath: call.path,
    rawQueryString: new URLSearchParams(call.query ?? {}).toString(),
    headers: call.headers ?? {},
    ...(call.query ? { queryStringParameters: call.query } : {}),
    ...(call.pathParameters ? { pathParameters: call.pathParameters } : {}),
    ...(call.body !== undefined ? { body: call.body } : {}),
    isBase64Encoded: call.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: call.method, path: call.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'r1',
      routeKey: `${call.method} ${call.path}`,
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
      ...(call.groups
        ? { authorizer: { jwt: { claims: { sub: 'admin-sub', token_use: 'access', exp: String(Math.floor(Date.now() / 1000) + 3600), username: 'admin-user', 'cognito:groups': `[${call.groups.join(' ')}]` }, scopes: [] } } }
        : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export async function invoke(handler: Handler, call: HttpCall): Promise<{ statusCode: number; headers: Record<string, string>; body: any }> {
  const result = (await handler(httpEvent(call), context)) as { statusCode: number; headers?: Record<string, string>; body?: string };
  return { statusCode: result.statusCode, headers: result.headers ?? {}, body: result.body ? JSON.parse(result.body) : undefined };
}
