import { SFNClient } from '@aws-sdk/client-sfn';
import { localCredentials } from '../commons/clients';
import { config } from '../commons/config';
import { tracer } from '../commons/powertools';

/** The Step Functions client, built on first use by the functions that start executions (local endpoint in local mode). */
let sfn: SFNClient | undefined;
let sfnEndpoint: string | undefined;
export function sfnClient(): SFNClient {
  const endpoint = config.stepFunctionsEndpoint();
  // Keyed by endpoint: in local mode a stack restarted in the same process (tests) gets a fresh client.
  if (sfn && endpoint !== sfnEndpoint) sfn = undefined;
  sfnEndpoint = endpoint;
  sfn ??= tracer.captureAWSv3Client(
    new SFNClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials() } : {}),
  );
  return sfn;
}
