import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { config } from './config';
import { tracer } from './powertools';

/**
 * SDK clients shared by handlers, created once per execution environment (outside the handler, so warm
 * invocations reuse connections). Endpoints are overridden in local mode only.
 */
const localCredentials = () =>
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
  dynamo ??= tracer.captureAWSv3Client(
    new DynamoDBClient({
      ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials() } : {}),
      // Inside the Lambda budget (15 s for API handlers): 3 attempts of at most 4 s each, so a stalled table
      // ends as a TimeoutError (a 503, or a retried step) instead of the function being killed mid-request.
      maxAttempts: 3,
      ...requestTimeouts(),
    }),
  );
  return dynamo;
}

export function ddb(): DynamoDBDocumentClient {
  const client = dynamoDbClient();
  documentClient ??= DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return documentClient;
}

let sfn: SFNClient | undefined;
let sfnEndpoint: string | undefined;
export function sfnClient(): SFNClient {
  const endpoint = config.stepFunctionsEndpoint();
  if (sfn && endpoint !== sfnEndpoint) sfn = undefined;
  sfnEndpoint = endpoint;
  sfn ??= tracer.captureAWSv3Client(
    new SFNClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials() } : {}),
  );
  return sfn;
}

let sns: SNSClient | undefined;
export function snsClient(): SNSClient {
  sns ??= tracer.captureAWSv3Client(new SNSClient({}));
  return sns;
}

let cloudWatch: CloudWatchClient | undefined;
export function cloudWatchClient(): CloudWatchClient {
  cloudWatch ??= tracer.captureAWSv3Client(new CloudWatchClient({}));
  return cloudWatch;
}
