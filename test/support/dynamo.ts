import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../functions/commons/clients';
import { idempotencyTable, mainTable } from '../../lib/tables';
import { createTables, dynamoDbAdminClient, LOCAL_REGION, tableName } from '../../local/dynamodb';

export interface IsolatedTables {
  endpoint: string;
  prefix: string;
  tableName: string;
  idempotencyTableName: string;
}

/** This worker's DynamoDB Local, of those test/support/global-setup.ts started for this jest run (one per worker). */
export function testDynamoDbEndpoint(): string {
  const all = (process.env.TEST_DYNAMODB_ENDPOINTS ?? '').split(',').filter(Boolean);
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = all.length ? all[(worker - 1) % all.length] : process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (its globalSetup starts DynamoDB Local).');
  return endpoint;
}

/** A table prefix no other test file uses. */
export const uniquePrefix = (label = 't') => `${label}-${randomBytes(4).toString('hex')}-`;

/**
 * Call at the top of an integration test file. Sets TABLE_NAME, IDEMPOTENCY_TABLE_NAME and
 * DYNAMODB_ENDPOINT right away (handlers read them lazily, on first use), creates this file's own tables in
 * beforeAll and drops them in afterAll.
 */
export function useIsolatedTables(): IsolatedTables {
  const endpoint = testDynamoDbEndpoint();
  const prefix = uniquePrefix();
  const tables: IsolatedTables = {
    endpoint,
    prefix,
    tableName: tableName(mainTable, prefix),
    idempotencyTableName: tableName(idempotencyTable, prefix),
  };
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.TABLE_NAME = tables.tableName;
  process.env.IDEMPOTENCY_TABLE_NAME = tables.idempotencyTableName;
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  beforeAll(async () => {
    await createTables(endpoint, prefix);
  }, 30_000);
  afterAll(() => dropTables(endpoint, prefix));
  return tables;
}

/**
 * Deletes every table whose name starts with `prefix`. DynamoDB Local writes each change of every live
 * stream-enabled table through one SQLite thread, and its cost grows with the live streams: 300 puts took
 * 287 ms with 10 live tables beside them and 660 ms with 20, so tables a file leaves behind slow the rest of the run.
 */
export async function dropTables(endpoint: string, prefix: string): Promise<void> {
  const client = dynamoDbAdminClient(endpoint);
  try {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []).filter((n) => n.startsWith(prefix)));
      start = page.LastEvaluatedTableName;
    } while (start);
    await Promise.all(names.map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
  } finally {
    client.destroy();
  }
}

/** Every item of this file's main table, sorted by key: compare before and after to prove a request changed nothing. */
export async function tableSnapshot(tableName = process.env.TABLE_NAME!): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
