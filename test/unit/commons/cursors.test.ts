import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getSecret } from '../../../functions/commons/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../../functions/commons/pagination';
import { ProblemError } from '../../../functions/commons/problem';
import { httpEvent, lambdaContext } from '../api/events';

jest.mock('../../../functions/commons/secrets', () => ({ getSecret: jest.fn() }));
const mockedGetSecret = getSecret as jest.MockedFunction<typeof getSecret>;

process.env.TABLE_NAME = 'unit-orders';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const ddbMock = mockClient(DynamoDBDocumentClient);
// eslint-disable-next-line import/first
import { handler as listProductsHandler } from '../../../functions/api/list-products';
const listProducts = listProductsHandler as unknown as (event: unknown, context: unknown) => Promise<any>;

const KEY = 'k'.repeat(40);
const lastKey = { pk: 'PRODUCT#LAMP-1', sk: 'PRODUCT', gsi1pk: 'PRODUCTS', gsi1sk: 'LAMP-1' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const status = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof ProblemError ? error.status : `threw ${(error as Error).message}`;
  }
};

beforeEach(() => {
  process.env.CURSOR_SECRET = KEY;
  delete process.env.CURSOR_SECRET_ARN;
  delete process.env.LOCAL_DATA_DIR;
  mockedGetSecret.mockReset();
  ddbMock.reset();
});

describe('signed cursors', () => {
  it('round-trip the key DynamoDB gave', () => {
    const cursor = encodeCursor(lastKey)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(decodeCursor(cursor)).toEqual(lastKey);
    expect(encodeCursor(undefined)).toBeNull();
  });

  it('refuse (400) an altered payload, an altered or missing signature, and the old unsigned form', () => {
    const cursor = encodeCursor(lastKey)!;
    const [payload, mac] = cursor.split('.');
    const other = b64({ ...lastKey, pk: 'PRODUCT#ZZZ' });
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const bad of [`${other}.${mac}`, `${flip(payload, 3)}.${mac}`, `${payload}.${flip(mac, 5)}`, payload, `${payload}.`, `${payload}.${mac}.x`, b64(lastKey), 'not-a-cursor']) {
      expect({ bad, status: status(() => decodeCursor(bad)) }).toEqual({ bad, status: 400 });
    }
  });

  it('refuse a cursor with numeric key values (a 500 from DynamoDB before) without reaching the table', async () => {
    const numeric = b64({ pk: 1, sk: 2, gsi1pk: 3, gsi1sk: 4 });
    const res = await listProducts(httpEvent({ path: '/products', query: { cursor: numeric } }), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body).errors).toEqual([{ path: 'cursor', message: 'invalid cursor' }]);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('signed with another key is forged: refused', () => {
    const cursor = encodeCursor(lastKey)!;
    process.env.CURSOR_SECRET = 'another-key-'.repeat(4);
    expect(status(() => decodeCursor(cursor))).toBe(400);
  });

  it('locally, the key is generated once under the data dir (0600) and reused, so cursors survive a restart', () => {
    delete process.env.CURSOR_SECRET;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cursor-key-'));
    try {
      process.env.LOCAL_DATA_DIR = dir;
      const cursor = encodeCursor(lastKey)!;
      const file = path.join(dir, 'secrets', 'cursor.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').length).toBeGreaterThanOrEqual(32);
      expect(decodeCursor(cursor)).toEqual(lastKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on Lambda, a list route without the shared key refuses to serve (500) instead of handing out cursors no other instance accepts', async () => {
    delete process.env.CURSOR_SECRET;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'order-service-ListProducts';
    try {
      ddbMock.on(QueryCommand).resolves({ Items: [] });
      expect((await listProducts(httpEvent({ path: '/products' }), lambdaContext())).statusCode).toBe(500);
      expect(ddbMock.calls()).toHaveLength(0);
      // Code paging through a list inside one invocation (the reconciler) still works with a per-process key.
      expect(decodeCursor(encodeCursor(lastKey)!)).toEqual(lastKey);
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    }
  });

  it('on AWS, list handlers load the key from Secrets Manager through Powertools (cached) before running', async () => {
    delete process.env.CURSOR_SECRET;
    process.env.CURSOR_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor';
    mockedGetSecret.mockResolvedValue('s'.repeat(64) as never);
    ddbMock.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: lastKey });
    const first = await listProducts(httpEvent({ path: '/products' }), lambdaContext());
    expect(first.statusCode).toBe(200);
    const { nextCursor } = JSON.parse(first.body);
    const second = await listProducts(httpEvent({ path: '/products', query: { cursor: nextCursor } }), lambdaContext());
    expect(second.statusCode).toBe(200);
    expect(ddbMock.commandCalls(QueryCommand)[1].args[0].input.ExclusiveStartKey).toEqual(lastKey);
    expect(mockedGetSecret).toHaveBeenCalledWith(process.env.CURSOR_SECRET_ARN, { maxAge: 300 });
    // A short placeholder is refused rather than used as a weak key.
    mockedGetSecret.mockResolvedValue('short' as never);
    expect((await listProducts(httpEvent({ path: '/products' }), lambdaContext())).statusCode).toBe(500);
  });
});
