import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config';
import { tracer } from './powertools';

/**
 * The DynamoDB client every store shares, created on first use and then kept for the execution environment
 * (warm invocations reuse connections). Endpoints are overridden in local mode only. Other AWS clients live
 * with the one adapter that uses them (adapters/step-functions-client.ts, alert-publisher.ts, the S3 label
 * storage), so a function loads and builds only the clients its route needs.
 */
export const localCredentials = () =>
  process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' };

export const DYNAMODB_REQUEST_TIMEOUT_MS = 4000;

/**
 * DYNAMODB_REQUEST_TIMEOUT_MS=0 turns the bound off: local mode and the tests run every "Lambda" in one process
 * on one client, where hundreds of concurrent calls queue for its sockets and a wait is not a stall.
 */
function requestTimeouts() {
  const ms = Number(process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? DYNAMODB_REQUEST_TIMEOUT_MS);
  return ms > 0 ? { requestHandler: { requestTimeout: ms, connectionTimeout: Math.min(ms, 2000), throwOnRequestTimeout: true } } : {};
}

// Keyed by endpoint: in local mode a stack restarted in the same process (tests) gets fresh clients.
let dynamo: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let dynamoEndpoint: string | undefined;
export function dynamoDbClient(): DynamoDBClient {
  const endpoint = config.dynamoDbEndpoint();
  if (dynamo && endpoint !== dynamoEndpoint) dynamo = documentClient = undefined;
  dynamoEndpoint = endpoint;
  if (dynamo) return dynamo;
  dynamo = tracer.captureAWSv3Client(
    new DynamoDBClient({
      ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials() } : {}),
      // Inside the Lambda budget (15 s for API handlers): 3 attempts of at most 4 s each, so a stalled table
      // ends as a TimeoutError (a 503, or a retried step) instead of the function being killed mid-request.
      maxAttempts: 3,
      ...requestTimeouts(),
    }),
  );
  // Once per client: added again on every call, the second ddb() threw "Duplicate middleware name".
  if (endpoint) retryLocalLockTimeouts(dynamo);
  return dynamo;
}

/**
 * DynamoDB Local (SQLite inside) answers a write that waited too long for its lock with InternalServerError
 * "…too long waiting for a lock. This request will succeed in actual DynamoDB API". DynamoDB has no such
 * error, so retrying exactly that one, past the SDK's 3 attempts, hides nothing AWS would show; every other
 * error (throttling, conditions, timeouts) keeps the SDK's own handling.
 */
function retryLocalLockTimeouts(client: DynamoDBClient): void {
  type Next = (args: unknown) => Promise<unknown>;
  (client.middlewareStack as unknown as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: Next) => async (args: unknown) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await next(args);
        } catch (error) {
          const e = error as Error;
          if (attempt >= 10 || e.name !== 'InternalServerError' || !/waiting for a lock/.test(e.message)) throw error;
          await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** Math.min(attempt, 5)));
        }
      }
    },
    { step: 'initialize', name: 'retryDynamoDbLocalLockTimeouts', priority: 'low' },
  );
}

export function ddb(): DynamoDBDocumentClient {
  const client = dynamoDbClient();
  documentClient ??= DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return documentClient;
}
