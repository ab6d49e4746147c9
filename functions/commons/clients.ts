import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { config } from './config';
import { tracer } from './powertools';

/**
 * SDK clients shared by handlers, created once per execution environment (outside the handler, so warm
 * invocations reuse connections). Endpoints are overridden in local mode only.
 */
const localCredentials = () =>
  process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' };

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
      maxAttempts: 3,
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
