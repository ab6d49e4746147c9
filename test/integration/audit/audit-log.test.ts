import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { AUDIT_PK, auditKey } from '../../../functions/adapters/keys';
import { appendAudit, listAudit, verifyAudit } from '../../../functions/adapters/audit-store';
import { entryHash, GENESIS_HASH } from '../../../functions/domain/audit';
import { handler as adminAdjust } from '../../../functions/api/admin-adjust-inventory';
import { handler as adminCreate } from '../../../functions/api/admin-create-product';
import { handler as verifyRoute } from '../../../functions/api/admin-verify-audit';
import { handler as listRoute } from '../../../functions/api/admin-list-audit';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { useIsolatedTables } from '../../support/dynamo';

const tables = useIsolatedTables();
process.env.CURSOR_SECRET = 'audit-test-cursor-key-'.repeat(2);

const admin = { sub: 'admin-sub', username: 'admin-user', groups: ['admin'] };
const call = async (h: (e: any, c: any) => Promise<any>, event: ReturnType<typeof httpEvent>) => {
  const res = await h(event, lambdaContext());
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
};
const allEntries = async () =>
  (await ddb().send(new QueryCommand({ TableName: tables.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': AUDIT_PK }, ConsistentRead: true }))).Items ?? [];

// One file, one table: the tests build on each other's entries in order.
describe('hash-chained audit log', () => {
  it('an empty log verifies', async () => {
    expect(await verifyAudit()).toEqual({ valid: true, entries: 0 });
  });

  it('chains each entry to the one before: hash = sha256(previous hash + canonical entry)', async () => {
    const first = await appendAudit({ actor: 'admin:a', action: 'order.cancel', target: 'order:o1', details: { b: 1, a: 'x' } });
    const second = await appendAudit({ actor: 'admin:a', action: 'order.refund', target: 'order:o1', details: { amount: 500 } });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const { hash: h1, ...body1 } = first;
    expect(h1).toBe(entryHash(GENESIS_HASH, body1));
    const { hash: h2, ...body2 } = second;
    expect(h2).toBe(entryHash(h1, body2));
    expect(await verifyAudit()).toEqual({ valid: true, entries: 2 });
  });

  it('stays one valid chain with 20 appends racing from many writers at once (DynamoDB Local)', async () => {
    const before = (await allEntries()).length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit({ actor: `admin:w${i % 7}`, action: 'product.update', target: `product:SKU-${i}`, details: { i } })));
    const entries = await allEntries();
    expect(entries).toHaveLength(before + 20);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: before + 20 }, (_, i) => i + 1));
    // Every append made it exactly once.
    expect(new Set(entries.filter((e) => e.action === 'product.update').map((e) => e.details.i)).size).toBe(20);
    expect(await verifyAudit()).toEqual({ valid: true, entries: before + 20 });
    // Time never goes backwards along the chain.
    const times = entries.map((e) => e.at as string);
    expect([...times].sort()).toEqual(times);
  }, 180_000);

  it('admin write handlers append who did what; the routes list and verify it', async () => {
    const created = await call(adminCreate, httpEvent({ method: 'POST', path: '/admin/products', body: JSON.stringify({ sku: 'AUD-1', name: 'Audited lamp', price: { amount: 100, currency: 'USD' }, lowStockThreshold: 1, initialStock: 5 }), caller: admin }));
    expect(created.statusCode).toBe(201);
    const adjusted = await call(adminAdjust, httpEvent({ method: 'POST', path: '/admin/inventory/AUD-1/adjustments', pathParameters: { sku: 'AUD-1' }, body: JSON.stringify({ delta: -2, reason: 'damaged' }), caller: admin }));
    expect(adjusted.statusCode).toBe(200);
    // A refused write (409) is not audited.
    const refused = await call(adminAdjust, httpEvent({ method: 'POST', path: '/admin/inventory/AUD-1/adjustments', pathParameters: { sku: 'AUD-1' }, body: JSON.stringify({ delta: -50, reason: 'x' }), caller: admin }));
    expect(refused.statusCode).toBe(409);

    const page = await call(listRoute, httpEvent({ path: '/admin/audit', query: { limit: '2' }, caller: admin }));
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.json.items.map((e: any) => [e.action, e.target, e.actor])).toEqual([
      ['inventory.adjust', 'product:AUD-1', 'admin:admin-user'],
      ['product.create', 'product:AUD-1', 'admin:admin-user'],
    ]);
    expect(page.json.items[0].details).toMatchObject({ delta: -2 });
    const next = await call(listRoute, httpEvent({ path: '/admin/audit', query: { limit: '2', cursor: page.json.nextCursor }, caller: admin }));
    expect(next.json.items[0].seq).toBe(page.json.items[1].seq - 1);

    const future = await call(listRoute, httpEvent({ path: '/admin/audit', query: { from: '2999-01-01' }, caller: admin }));
    expect(future.json.items).toEqual([]);
    expect((await call(listRoute, httpEvent({ path: '/admin/audit', query: { from: '2026-12-02', to: '2026-12-01' }, caller: admin }))).statusCode).toBe(400);

    const verified = await call(verifyRoute, httpEvent({ path: '/admin/audit/verify', caller: admin }));
    expect(verified.json).toEqual({ valid: true, entries: page.json.items[0].seq });
  });

  it('editing one stored entry makes verify report that seq', async () => {
    await ddb().send(new UpdateCommand({ TableName: tables.tableName, Key: auditKey(17), UpdateExpression: 'SET details.i = :x', ExpressionAttributeValues: { ':x': 999 } }));
    const res = await call(verifyRoute, httpEvent({ path: '/admin/audit/verify', caller: admin }));
    expect(res.json).toMatchObject({ valid: false, firstInvalidSeq: 17 });
  });

  it('a deleted entry is reported by the seq that is missing (the earliest break wins)', async () => {
    await ddb().send(new DeleteCommand({ TableName: tables.tableName, Key: auditKey(9) }));
    expect(await verifyAudit()).toMatchObject({ valid: false, firstInvalidSeq: 9 });
  });
});
