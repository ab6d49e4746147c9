import { startDynamoDbLocal, type LocalDynamoDb } from '../../local/dynamodb';

/**
 * One in-memory DynamoDB Local for the whole jest run, on a free port. Workers are started after this runs,
 * so they inherit TEST_DYNAMODB_ENDPOINT; each test file then creates its own tables under a unique
 * prefix (test/support/dynamo.ts), which keeps files independent while sharing one JVM.
 */
export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __ORDER_SERVICE_DYNAMODB__?: LocalDynamoDb }).__ORDER_SERVICE_DYNAMODB__ = dynamo;
}
