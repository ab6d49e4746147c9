import type { RuntimeConfig } from './types';

let loaded: Promise<RuntimeConfig> | undefined;

/**
 * Runtime settings come from `config.json` next to index.html (the local gateway serves it; CDK deploys it
 * with the stack's outputs), so one build runs against cognito-local and AWS alike.
 */
export function loadConfig(): Promise<RuntimeConfig> {
  loaded ??= fetch(new URL('config.json', document.baseURI), { cache: 'no-store' })
    .then(async (response) => {
      if (!response.ok) throw new Error(`config.json answered ${response.status}.`);
      return validate(await response.json());
    })
    .catch((error: unknown) => {
      loaded = undefined; // let a retry fetch it again
      throw error instanceof Error ? error : new Error(String(error));
    });
  return loaded;
}

function validate(value: unknown): RuntimeConfig {
  const config = value as Partial<RuntimeConfig> | null;
  const cognito = config?.cognito;
  const missing = [
    typeof config?.apiUrl === 'string' ? null : 'apiUrl',
    typeof cognito?.endpoint === 'string' ? null : 'cognito.endpoint',
    typeof cognito?.clientId === 'string' ? null : 'cognito.clientId',
  ].filter(Boolean);
  if (missing.length) throw new Error(`config.json is missing ${missing.join(', ')}.`);
  return {
    apiUrl: config!.apiUrl!.replace(/\/+$/, ''),
    cognito: {
      endpoint: cognito!.endpoint,
      region: cognito!.region ?? '',
      userPoolId: cognito!.userPoolId ?? '',
      clientId: cognito!.clientId,
    },
  };
}
