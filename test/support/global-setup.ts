import { externalDynamoDbEndpoint, startDynamoDbLocal, THROUGHPUT_JVM_OPTIONS, type LocalDynamoDb } from '../../local/dynamodb';

/**
 * One in-memory DynamoDB Local per jest worker, each on a free port. Workers are started after this runs,
 * so they inherit TEST_DYNAMODB_ENDPOINTS; each worker takes the one its JEST_WORKER_ID names
 * (test/support/dynamo.ts) and each test file then creates its own tables under a unique prefix.
 *
 * Why one per worker: DynamoDB Local runs all its SQLite work on one thread, which sat at 100 % of a core
 * through a full run while the workers used little; a second JVM gives the second worker its own thread.
 * (Measured together with every file dropping its tables: full run 1,103 s → 685 s from a fresh clone.
 * Not measured apart; two race files alone ran faster on one shared JVM, 22 s against 34 s.)
 *
 * With DYNAMODB_ENDPOINT set, the run uses that already-running endpoint instead (your DynamoDB Local, or a
 * proxy or throttling model in front of one) for every worker and starts nothing; tables are still created per file.
 */
export default async function globalSetup(globalConfig?: { maxWorkers?: number }): Promise<void> {
  const external = externalDynamoDbEndpoint(process.env.DYNAMODB_ENDPOINT);
  if (external) {
    process.env.TEST_DYNAMODB_ENDPOINT = external;
    delete process.env.TEST_DYNAMODB_ENDPOINTS;
    return;
  }
  const workers = Math.max(1, globalConfig?.maxWorkers ?? 1);
  const started = await Promise.allSettled(Array.from({ length: workers }, () => startDynamoDbLocal({ port: 0, jvmOptions: THROUGHPUT_JVM_OPTIONS })));
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((d) => d.stop()));
    throw failed.reason;
  }
  process.env.TEST_DYNAMODB_ENDPOINTS = running.map((d) => d.endpoint).join(',');
  process.env.TEST_DYNAMODB_ENDPOINT = running[0]!.endpoint;
  (globalThis as { __ORDER_SERVICE_DYNAMODB__?: LocalDynamoDb[] }).__ORDER_SERVICE_DYNAMODB__ = running;
}
