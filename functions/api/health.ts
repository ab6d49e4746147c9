import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { api, json } from '../commons/http';
import { logger } from '../commons/powertools';
import { ProblemError } from '../commons/problem';

/** How long the table may take to answer before the service is reported unavailable. */
const CHECK_TIMEOUT_MS = 1500;

/**
 * GET /health: 200 when the table answers a read (of a key that never exists: the cheapest read there is),
 * 503 problem+json with Retry-After when it does not, within a bound well under the API's timeout.
 */
export const handler = api({ auth: 'public' }, async () => {
  try {
    await ddb().send(new GetCommand({ TableName: config.tableName(), Key: { pk: 'HEALTH', sk: 'HEALTH' } }), { abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  } catch (error) {
    logger.warn('Health check: the table did not answer', { error: (error as Error).name });
    throw new ProblemError(503, 'unavailable', 'The order table cannot be reached right now.');
  }
  return json(200, { status: 'ok' });
});
