import { config } from '../commons/config';
import { getSecret } from '../commons/secrets';

/** How long a warm Lambda reuses the secret before asking Secrets Manager again (rotation takes ≤ this). */
const SECRET_CACHE_SECONDS = 300;

/**
 * The carrier webhook HMAC secret: from Secrets Manager on AWS (CARRIER_WEBHOOK_SECRET_ARN, a plain string
 * secret, cached by Powertools), from CARRIER_WEBHOOK_SECRET locally.
 */
export async function carrierWebhookSecret(): Promise<string> {
  const arn = config.carrierWebhookSecretArn();
  if (arn) {
    const value = await getSecret(arn, { maxAge: SECRET_CACHE_SECONDS });
    if (typeof value === 'string' && value.length > 0) return value;
    throw new Error('The carrier webhook secret is empty or not a string');
  }
  const local = config.carrierWebhookSecret();
  if (local) return local;
  throw new Error('No carrier webhook secret configured (CARRIER_WEBHOOK_SECRET_ARN or CARRIER_WEBHOOK_SECRET)');
}
