import { externalDynamoDbEndpoint, startDynamoDbLocal, THROUGHPUT_JVM_OPTIONS, type LocalDynamoDb } from '../../local/dynamodb';

/**
 * One in-memory DynamoDB Local for the whole jest run, on a free port. Workers are started after this runs,
 * so they inherit TEST_DYNAMODB_ENDPOINT; each test file then creates its own tables under a unique
 * prefix (test/support/dynamo.ts), which keeps files independent while sharing one JVM.
 *
 * With DYNAMODB_ENDPOINT set, the run uses that already-running endpoint instead (your DynamoDB Local, or a
 * proxy or throttling model in front of one) and starts nothing; tables are still created per file.
 */
export default async function globalSetup(): Promise<void> {
  const external = externalDynamoDbEndpoint(process.env.DYNAMODB_ENDPOINT);
  if (external) {
    process.env.TEST_DYNAMODB_ENDPOINT = external;
    return;
  }
  const dynamo = await startDynamoDbLocal({ port: 0, jvmOptions: THROUGHPUT_JVM_OPTIONS });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __ORDER_SERVICE_DYNAMODB__?: LocalDynamoDb }).__ORDER_SERVICE_DYNAMODB__ = dynamo;
}
