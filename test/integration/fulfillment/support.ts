import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { keys } from '../../../functions/adapters/keys';
import { orderStore } from '../../../functions/adapters/order-store';
import { ddb } from '../../../functions/commons/clients';
import type { Order, OrderStatus } from '../../../functions/domain/order';
import { signatureHeader } from '../../../functions/fulfillment/webhook-signature';
import { httpEvent, lambdaContext } from '../../unit/api/events';

export const WEBHOOK_SECRET = 'test-carrier-webhook-secret';

/** Per-file label folder and webhook secret (tables come from test/support/dynamo.ts). */
export function useFulfillmentEnv(): { dataDir: () => string } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fulfillment-'));
    process.env.LOCAL_DATA_DIR = dir;
    delete process.env.LABELS_BUCKET;
    process.env.CARRIER_WEBHOOK_SECRET = WEBHOOK_SECRET;
    delete process.env.CARRIER_WEBHOOK_SECRET_ARN;
    process.env.TRACKING_BASE_URL = 'http://localhost:3000/tracking';
    process.env.TRACKING_COUNTRY = 'US';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dataDir: () => dir };
}

/** Personal data placed on every test order, so tests can prove it never leaks into public responses. */
export const PII = {
  name: 'Grace Brewster Hopper',
  email: 'grace.hopper@example.com',
  phone: '+1 202 555 0143',
  recipient: 'Rear Admiral G. Hopper',
  line1: '1701 Arlington Ridge Road',
  line2: 'Apartment 42B',
  city: 'Arlington',
  postalCode: '22202',
};

export function newOrder(status: OrderStatus, over: Partial<Order> = {}): Order {
  const at = new Date().toISOString();
  return {
    id: `ord${randomUUID().replace(/-/g, '').slice(0, 22)}`,
    userId: 'user-fulfillment',
    status,
    customer: { name: PII.name, email: PII.email, phone: PII.phone },
    shippingAddress: { name: PII.recipient, line1: PII.line1, line2: PII.line2, city: PII.city, region: 'VA', postalCode: PII.postalCode, country: 'US' },
    items: [{ sku: 'MUG-1', name: 'Mug', quantity: 1, unitPrice: { amount: 1200, currency: 'USD' }, lineTotal: { amount: 1200, currency: 'USD' } }],
    total: { amount: 1200, currency: 'USD' },
    paymentMethodId: 'pm_card_visa',
    stock: status === 'SHIPPED' || status === 'DELIVERED' ? 'SHIPPED' : 'RESERVED',
    timeline: [{ at, status, actor: 'test', reason: 'fixture' }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

export async function createOrderIn(status: OrderStatus, over: Partial<Order> = {}): Promise<Order> {
  const order = newOrder(status, over);
  await orderStore.create(order);
  return order;
}

export async function getItem(key: { pk: string; sk: string }): Promise<Record<string, any> | undefined> {
  const { Item } = await ddb().send(new GetCommand({ TableName: process.env.TABLE_NAME!, Key: key, ConsistentRead: true }));
  return Item;
}

export const counterValue = async () => Number((await getItem(keys.counter('tracking')))?.value ?? 0);

export { tableSnapshot as snapshot } from '../../support/dynamo';

type Handler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: any;
  raw: APIGatewayProxyStructuredResultV2;
}

export async function call(handler: Handler, options: Parameters<typeof httpEvent>[0]): Promise<CallResult> {
  const raw = (await handler(httpEvent(options), lambdaContext())) as APIGatewayProxyStructuredResultV2;
  const headers = (raw.headers ?? {}) as Record<string, string>;
  let body: any = raw.body;
  if (typeof raw.body === 'string' && /json/.test(headers['content-type'] ?? '')) body = JSON.parse(raw.body);
  return { status: raw.statusCode ?? 200, headers, body, raw };
}

export const admin = { sub: 'admin-sub', username: 'admin@example.com', groups: ['admin'] };
export const customer = { sub: 'customer-sub', username: 'customer@example.com', groups: [] as string[] };

/** A signed carrier webhook request (the signature can be overridden to test rejections). */
export function webhookRequest(
  payload: unknown,
  options: { secret?: string; at?: Date; rawBody?: string } = {},
): { method: string; path: string; body: string; headers: Record<string, string> } {
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  const header = signatureHeader(options.secret ?? WEBHOOK_SECRET, rawBody, options.at ?? new Date());
  return { method: 'POST', path: '/webhooks/carrier', body: rawBody, headers: { 'x-carrier-signature': header } };
}

