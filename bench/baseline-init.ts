/**
 * The cold-start yardstick of `npm run bench:init`: a Lambda module that only builds a DynamoDBDocumentClient.
 * Bundled with the same settings as every service function, so the SDK stays outside (the runtime's copy).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ statusCode: 200, body: String(Boolean(client)) });
