import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Deploy-time settings read from CDK context (cdk.json, or `-c key=value` on the command line, where every
 * value arrives as a string). Validated here so a typo fails synth with one clear sentence instead of
 * deploying a half-configured stack.
 */
export interface ServiceContext {
  /** Ops address subscribed to the low-stock SNS topic (must confirm the subscription email). */
  alertEmail: string | undefined;
  /** Ops address subscribed to the ops alarm topic (CloudWatch alarms); without it synth warns. */
  opsEmail: string | undefined;
  /** Share of invocations (0..1) that log at DEBUG whatever the log level (POWERTOOLS_LOGGER_SAMPLE_RATE). */
  logSampleRate: number;
  /** SES identity the service sends customer emails from. */
  senderEmail: string;
  /** Cancellation window between PAID and fulfillment (the workflow's Wait state). */
  orderHoldSeconds: number;
  /** true (default): tables, key, buckets and user pool survive `cdk destroy` and have deletion protection. */
  retainData: boolean;
  /** Base of the public tracking link in shipping emails; default: this API's /tracking. */
  trackingBaseUrl: string | undefined;
  /** ISO country code of S10 tracking numbers. */
  trackingCountry: string;
  /** Return address printed on shipping labels (defaults in functions/fulfillment/settings.ts). */
  senderName: string | undefined;
  /** Address lines separated by "|". */
  senderAddress: string | undefined;
  /** The two S10 service-indicator letters (default CP, parcels). */
  trackingServiceIndicator: string | undefined;
  /** Extra browser origins allowed by the API's CORS (for example a dashboard dev server). */
  extraCorsOrigins: string[];
  /** Cognito feature plan: 'plus' turns on threat protection (enforced); 'essentials' is cheaper. */
  userPoolFeaturePlan: 'plus' | 'essentials';
  /** CloudWatch Logs retention for Lambda, API access and state machine logs. */
  logRetentionDays: RetentionDays;
  /** Stage-wide API throttling (requests per second, burst). */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** Per-route cap on each public catalogue/tracking route (lib/constructs/http-api.ts throttleClassOf). */
  publicRateLimit: number;
  publicBurstLimit: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function readContext(node: Node): ServiceContext {
  const raw = (key: string): unknown => node.tryGetContext(key);
  const str = (key: string): string | undefined => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(v)}.`);
    return v;
  };
  const int = (key: string, fallback: number, min: number): number => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`Context "${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}.`);
    return n;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new Error(`Context "${key}" must be true or false, got ${JSON.stringify(v)}.`);
  };
  const email = (key: string): string | undefined => {
    const v = str(key);
    if (v !== undefined && !EMAIL.test(v)) throw new Error(`Context "${key}" must be an email address, got "${v}".`);
    return v;
  };
  const list = (key: string): string[] => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return [];
    const items = Array.isArray(v) ? v : String(v).split(',');
    return items.map((s) => String(s).trim()).filter(Boolean);
  };

  const rate = (key: string, fallback: number): number => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`Context "${key}" must be a number from 0 to 1, got ${JSON.stringify(v)}.`);
    return n;
  };

  const plan = str('userPoolFeaturePlan') ?? 'plus';
  if (plan !== 'plus' && plan !== 'essentials') {
    throw new Error(`Context "userPoolFeaturePlan" must be "plus" or "essentials", got "${plan}".`);
  }
  const trackingCountry = str('trackingCountry') ?? 'US';
  if (!/^[A-Z]{2}$/.test(trackingCountry)) throw new Error(`Context "trackingCountry" must be an ISO 3166-1 alpha-2 code, got "${trackingCountry}".`);
  const extraCorsOrigins = list('extraCorsOrigins');
  for (const origin of extraCorsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`Context "extraCorsOrigins" entries must be origins like https://host:port, got "${origin}".`);
  }

  const logRetentionDays = int('logRetentionDays', 30, 1) as RetentionDays;
  if (!Object.values(RetentionDays).includes(logRetentionDays)) {
    throw new Error(`Context "logRetentionDays" must be a CloudWatch retention period (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...), got ${logRetentionDays}.`);
  }
  const trackingServiceIndicator = str('trackingServiceIndicator');
  if (trackingServiceIndicator !== undefined && !/^[A-Z]{2}$/.test(trackingServiceIndicator)) {
    throw new Error(`Context "trackingServiceIndicator" must be two capital letters, got "${trackingServiceIndicator}".`);
  }

  return {
    alertEmail: email('alertEmail'),
    opsEmail: email('opsEmail'),
    logSampleRate: rate('logSampleRate', 0),
    senderEmail: email('senderEmail') ?? 'orders@example.com',
    orderHoldSeconds: int('orderHoldSeconds', 600, 0),
    retainData: bool('retainData', true),
    trackingBaseUrl: str('trackingBaseUrl'),
    trackingCountry,
    senderName: str('senderName'),
    senderAddress: str('senderAddress'),
    trackingServiceIndicator,
    extraCorsOrigins,
    userPoolFeaturePlan: plan,
    logRetentionDays,
    apiRateLimit: int('apiRateLimit', 50, 1),
    apiBurstLimit: int('apiBurstLimit', 100, 1),
    publicRateLimit: int('publicRateLimit', 20, 1),
    publicBurstLimit: int('publicBurstLimit', 40, 1),
  };
}
