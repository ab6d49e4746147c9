import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as create } from '../../../functions/api/admin-create-webhook';
import { handler as list } from '../../../functions/api/admin-list-webhooks';
import { handler as update } from '../../../functions/api/admin-update-webhook';
import { handler as remove } from '../../../functions/api/admin-delete-webhook';
import { handler as rotate } from '../../../functions/api/admin-rotate-webhook-secret';
import { handler as deliveries } from '../../../functions/api/admin-list-webhook-deliveries';
import { handler as replay } from '../../../functions/api/admin-replay-webhook';
import { handler as openapi } from '../../../functions/api/get-openapi';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { tableSnapshot, useIsolatedTables } from '../../support/dynamo';

/**
 * The webhook admin routes through their real handlers against DynamoDB Local, with the AWS target policy
 * (WEBHOOK_TARGETS unset): bad input and refused targets are 4xx problem+json and change nothing, customers
 * are refused, the secret appears only in the create and rotate answers.
 */
useIsolatedTables();
process.env.CURSOR_SECRET = 'test-cursor-secret-test-cursor-secret';
delete process.env.WEBHOOK_TARGETS;

const admin = { sub: 'admin-1', username: 'admin@example.com', groups: ['admin'] };
type Handler = (event: ReturnType<typeof httpEvent>, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
async function call(h: unknown, method: string, path: string, options: { body?: unknown; id?: string; caller?: typeof admin | null; query?: Record<string, string> } = {}) {
  const res = (await (h as Handler)(httpEvent({
    method,
    path,
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.query ? { query: options.query } : {}),
    caller: options.caller === null ? undefined : (options.caller ?? admin),
  }), lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode!, headers: res.headers ?? {}, body: res.body ? JSON.parse(res.body) : undefined };
}

it('refuses bad input and private targets with problem+json, changing nothing', async () => {
  const before = await tableSnapshot();
  for (const body of [
    { url: 'http://hooks.example.com/x', events: ['*'] },
    { url: 'https://169.254.169.254/latest/meta-data/', events: ['*'] },
    { url: 'https://10.0.0.8/hook', events: ['order.paid'] },
    { url: 'https://[::ffff:127.0.0.1]/', events: ['order.paid'] },
    { url: 'https://localhost/hook', events: ['order.paid'] },
    { url: 'https://hooks.example.com/x', events: [] },
    { url: 'https://hooks.example.com/x', events: ['order.nope'] },
    { url: 'https://hooks.example.com/x', events: ['*'], secret: 'mine' },
    { url: 'https://hooks.example.com/x', events: ['*'], scope: 'everything' },
  ]) {
    const res = await call(create, 'POST', '/admin/webhooks', { body });
    expect({ body, status: res.status, type: res.headers['content-type'] }).toEqual({ body, status: 400, type: 'application/problem+json' });
  }
  expect((await call(create, 'POST', '/admin/webhooks', { body: { url: 'https://hooks.example.com/x', events: ['*'] }, caller: { sub: 'c', username: 'c', groups: [] } })).status).toBe(403);
  expect(await tableSnapshot()).toEqual(before);
});

it('create shows the secret once; list, patch, rotate, log, replay and delete behave', async () => {
  const created = await call(create, 'POST', '/admin/webhooks', { body: { url: 'https://hooks.example.com/orders', events: ['order.paid', 'order.shipped'], scope: 'contact' } });
  expect(created.status).toBe(201);
  expect(created.headers['cache-control']).toBe('no-store');
  expect(created.body).toMatchObject({ url: 'https://hooks.example.com/orders', events: ['order.paid', 'order.shipped'], active: true, scope: 'contact', health: 'ok', secret: expect.stringMatching(/^whsec_/) });
  const id = created.body.id as string;

  const listed = await call(list, 'GET', '/admin/webhooks');
  expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);
  expect(JSON.stringify(listed.body)).not.toContain('whsec_');

  expect((await call(update, 'PATCH', `/admin/webhooks/${id}`, { id, body: {} })).status).toBe(400);
  expect((await call(update, 'PATCH', `/admin/webhooks/${id}`, { id, body: { url: 'https://192.168.1.10/' } })).status).toBe(400);
  const patched = await call(update, 'PATCH', `/admin/webhooks/${id}`, { id, body: { active: false, events: ['*'] } });
  expect(patched.body).toMatchObject({ active: false, events: ['*'] });
  expect(patched.body.secret).toBeUndefined();

  const rotated = await call(rotate, 'POST', `/admin/webhooks/${id}/rotate-secret`, { id, body: { graceSeconds: 3600 } });
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  expect(rotated.body.secret).not.toBe(created.body.secret);
  expect(rotated.body.secretRotations).toHaveLength(1);
  expect((await call(rotate, 'POST', `/admin/webhooks/${id}/rotate-secret`, { id, body: { graceSeconds: 8 * 86_400 } })).status).toBe(400);

  const log = await call(deliveries, 'GET', `/admin/webhooks/${id}/deliveries`, { id });
  expect(log.body).toEqual({ items: [], nextCursor: null });
  expect((await call(deliveries, 'GET', `/admin/webhooks/${id}/deliveries`, { id, query: { cursor: 'forged.cursor' } })).status).toBe(400);
  expect((await call(replay, 'POST', `/admin/webhooks/${id}/replay`, { id, body: { eventIds: ['evt_unknown'] } })).status).toBe(400);
  expect((await call(replay, 'POST', `/admin/webhooks/${id}/replay`, { id, body: { from: 'yesterday', to: 'today' } })).status).toBe(400);
  expect((await call(replay, 'POST', `/admin/webhooks/${id}/replay`, { id, body: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } })).status).toBe(400);
  expect((await call(replay, 'POST', `/admin/webhooks/${id}/replay`, { id, body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } })).body).toMatchObject({ events: [] });

  expect((await call(remove, 'DELETE', `/admin/webhooks/${id}`, { id })).status).toBe(204);
  expect((await call(remove, 'DELETE', `/admin/webhooks/${id}`, { id })).status).toBe(404);
  expect((await call(deliveries, 'GET', `/admin/webhooks/${id}/deliveries`, { id })).status).toBe(404);
  expect((await call(replay, 'POST', `/admin/webhooks/${id}/replay`, { id, body: { eventIds: ['evt_x'] } })).status).toBe(404);
});

it('GET /openapi.json answers the generated document without a token', async () => {
  const res = await call(openapi, 'GET', '/openapi.json', { caller: null });
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  expect(res.body.paths['/admin/webhooks/{id}/replay'].post.security).toEqual([{ adminJwt: [] }]);
});
