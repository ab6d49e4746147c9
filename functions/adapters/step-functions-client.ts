import type { SFNClient } from '@aws-sdk/client-sfn';
import { localCredentials } from '../commons/clients';
import { config } from '../commons/config';
import { tracer } from '../commons/powertools';

/**
 * The Step Functions SDK, imported on first use: the functions that may start or read executions (the
 * outbox consumer, the reconciler) handle most batches without doing either, and the package was about
 * 0.2x of the one-client baseline of their cold starts (bench/init.bench.ts).
 */
export const sfnSdk = () => import('@aws-sdk/client-sfn');

/** The Step Functions client, built on first use by the functions that start executions (local endpoint in local mode). */
let sfn: Promise<SFNClient> | undefined;
let sfnEndpoint: string | undefined;
export function sfnClient(): Promise<SFNClient> {
  const endpoint = config.stepFunctionsEndpoint();
  // Keyed by endpoint: in local mode a stack restarted in the same process (tests) gets a fresh client.
  if (sfn && endpoint !== sfnEndpoint) sfn = undefined;
  sfnEndpoint = endpoint;
  sfn ??= sfnSdk().then(({ SFNClient: Client }) =>
    tracer.captureAWSv3Client(new Client(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials() } : {})),
  );
  return sfn;
}
