import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BaseProvider, DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { tracer } from './powertools';

/**
 * Powertools' provider base (its cache, maxAge, forceFetch and error types) over a Secrets Manager client
 * that is loaded on the first fetch, not at init. Powertools' own SecretsProvider imports the SDK client
 * statically, and in an ESM bundle every import of an external package is hoisted to the top: each
 * function that merely could read a secret paid ~13 ms of cold start for it (bench/init.bench.ts). The
 * client is captured by the tracer, so secret reads show in the trace.
 */
class LazySecretsProvider extends BaseProvider {
  private sdk?: Promise<{ client: SecretsManagerClient; GetSecretValueCommand: typeof import('@aws-sdk/client-secrets-manager').GetSecretValueCommand }>;

  constructor() {
    super({});
  }

  protected async _get(name: string): Promise<string | Uint8Array | undefined> {
    this.sdk ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient: Client, GetSecretValueCommand }) => ({
      client: tracer.captureAWSv3Client(new Client({})),
      GetSecretValueCommand,
    }));
    const { client, GetSecretValueCommand } = await this.sdk;
    const result = await client.send(new GetSecretValueCommand({ SecretId: name }));
    return result.SecretString ?? result.SecretBinary;
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    throw new Error('Reading secrets by path is not supported');
  }
}

/**
 * A plain string (or binary) secret by ARN, cached for `maxAge` seconds per execution environment, so a
 * rotation is picked up within that time. The provider is Powertools' default secrets provider (as its own
 * getSecret would create), so Powertools' clearCaches() clears it too.
 */
export async function getSecret(arn: string, options: { maxAge: number }): Promise<string | Uint8Array | undefined> {
  DEFAULT_PROVIDERS.secrets ??= new LazySecretsProvider();
  return (await DEFAULT_PROVIDERS.secrets.get(arn, { maxAge: options.maxAge })) as string | Uint8Array | undefined;
}
