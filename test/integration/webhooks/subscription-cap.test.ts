import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { handler as create } from '../../../functions/api/admin-create-webhook';
import { handler as remove } from '../../../functions/api/admin-delete-webhook';
import { ddb } from '../../../functions/commons/clients';
import { MAX_SUBSCRIPTIONS, SUBSCRIPTIONS, subscriptionStore } from '../../../functions/adapters/webhook-store';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { useIsolatedTables } from '../../support/dynamo';

/**
 * The cap of 25 webhook subscriptions holds under concurrency: it is a counter updated with a condition in
 * the create's own transaction (and decremented in the delete's), not a read then a write. 40 creates at
 * once through the real handler against DynamoDB Local: exactly 25 are created, the other 15 are 409
 * problem+json and leave nothing behind; a delete frees one place.
 */
const tables = useIsolatedTables();
process.env.WEBHOOK_TARGETS = 'any';

const admin = { sub: 'admin-1', username: 'admin@example.com', groups: ['admin'] };
async function call(h: unknown, method: string, path: string, options: { body?: unknown; id?: string } = {}) {
  const res = (await (h as (e: unknown, c: unknown) => Promise<unknown>)(httpEvent({
    method,
    path,
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    caller: admin,
  }), lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode!, headers: res.headers ?? {}, body: res.body ? JSON.parse(res.body) : undefined };
}
const createOne = (i: number) => call(create, 'POST', '/admin/webhooks', { body: { url: `http://127.0.0.1:9/hook-${i}`, events: ['*'] } });

it('40 concurrent creates: exactly 25 succeed, the rest are 409 problem+json; a delete frees a place', async () => {
  expect(MAX_SUBSCRIPTIONS).toBe(25);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => createOne(i)));
  const created = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status !== 201);
  expect(created).toHaveLength(25);
  expect(refused).toHaveLength(15);
  for (const r of refused) {
    expect({ status: r.status, type: r.headers['content-type'] }).toEqual({ status: 409, type: 'application/problem+json' });
    expect(r.body).toMatchObject({ status: 409, detail: expect.stringContaining('At most 25') });
  }
  expect((await subscriptionStore.list()).map((s) => s.id).sort()).toEqual(created.map((r) => r.body.id).sort());

  // Full: one more is refused; a delete frees exactly one place, and a second delete of it frees nothing.
  expect((await createOne(100)).status).toBe(409);
  expect((await call(remove, 'DELETE', `/admin/webhooks/${created[0]!.body.id}`, { id: created[0]!.body.id })).status).toBe(204);
  expect((await call(remove, 'DELETE', `/admin/webhooks/${created[0]!.body.id}`, { id: created[0]!.body.id })).status).toBe(404);
  const again = await Promise.all([createOne(101), createOne(102), createOne(103)]);
  expect(again.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  expect(await subscriptionStore.list()).toHaveLength(25);
});

it('subscriptions made before the counter existed are counted once, then capped as well', async () => {
  // No counter item (as on a table from before it): the first create counts the 25 there are.
  await ddb().send(new DeleteCommand({ TableName: tables.tableName, Key: { pk: SUBSCRIPTIONS, sk: 'COUNT' } }));
  expect((await createOne(200)).status).toBe(409);
  const [first] = await subscriptionStore.list();
  expect((await call(remove, 'DELETE', `/admin/webhooks/${first!.id}`, { id: first!.id })).status).toBe(204);
  const results = await Promise.all([createOne(201), createOne(202)]);
  expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  expect(await subscriptionStore.list()).toHaveLength(25);
});
