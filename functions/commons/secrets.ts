import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { tracer } from './powertools';

/**
 * Powertools' Secrets Manager provider on an X-Ray-captured client, so secret reads show in the trace
 * (`getSecret` alone builds its own, uncaptured client). A module of its own: only functions that read a
 * secret load the Secrets Manager client.
 */
let provider: SecretsProvider | undefined;
export function secretsProvider(): SecretsProvider {
  provider ??= new SecretsProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})) });
  return provider;
}
