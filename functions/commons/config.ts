/**
 * Environment read in one place. Functions read it lazily so tests can set variables per file.
 * On AWS the CDK stack sets these; locally local/env.ts does.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}
const optional = (name: string): string | undefined => process.env[name] || undefined;

export const config = {
  tableName: () => required('TABLE_NAME'),
  idempotencyTableName: () => required('IDEMPOTENCY_TABLE_NAME'),
  stateMachineArn: () => required('STATE_MACHINE_ARN'),
  alertTopicArn: () => optional('ALERT_TOPIC_ARN'),
  /** On AWS: the name prefix of this stack's CloudWatch alarms (the ops alarms route lists them). */
  opsAlarmPrefix: () => optional('OPS_ALARM_PREFIX'),
  /** Local mode: where alerts, emails and labels go instead of SNS, SES and S3. */
  localDataDir: () => optional('LOCAL_DATA_DIR'),
  labelsBucket: () => optional('LABELS_BUCKET'),
  senderEmail: () => process.env.SENDER_EMAIL ?? 'orders@example.com',
  orderHoldSeconds: () => Number(process.env.ORDER_HOLD_SECONDS ?? '10'),
  /** SPEC.md "Returns": how long after delivery a customer may ask for a return. */
  returnWindowDays: () => Number(process.env.RETURN_WINDOW_DAYS ?? '30'),
  /** 3-D Secure: how long the workflow waits for the customer (SPEC: AWS 900, local 60), and how often it looks. */
  paymentActionTimeoutSeconds: () => Number(process.env.PAYMENT_ACTION_TIMEOUT_SECONDS ?? '900'),
  paymentActionPollSeconds: () => Math.max(1, Number(process.env.PAYMENT_ACTION_POLL_SECONDS ?? '5')),
  /** The sandbox's 3-D Secure page (GET shows it, POST {outcome} answers it): `<base>/<intentId>`. */
  paymentActionBaseUrl: () => process.env.PAYMENT_ACTION_BASE_URL ?? 'http://localhost:3000/sandbox/payments',
  stripeSecretKey: () => optional('STRIPE_SECRET_KEY'),
  stripeSecretArn: () => optional('STRIPE_SECRET_ARN'),
  stripeWebhookSecret: () => optional('STRIPE_WEBHOOK_SECRET'),
  stripeWebhookSecretArn: () => optional('STRIPE_WEBHOOK_SECRET_ARN'),
  carrierWebhookSecret: () => optional('CARRIER_WEBHOOK_SECRET'),
  carrierWebhookSecretArn: () => optional('CARRIER_WEBHOOK_SECRET_ARN'),
  /** HMAC key for list cursors: a Secrets Manager ARN on AWS, or the key itself (functions/commons/cursor-key.ts). */
  cursorSecretArn: () => optional('CURSOR_SECRET_ARN'),
  cursorSecret: () => optional('CURSOR_SECRET'),
  trackingCountry: () => process.env.TRACKING_COUNTRY ?? 'US',
  /** The API's own base URL (links to API routes in emails, e.g. the customer's return label). */
  apiBaseUrl: () => (process.env.API_BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
  trackingBaseUrl: () => process.env.TRACKING_BASE_URL ?? 'http://localhost:3000/tracking',
  /** Endpoint overrides for local mode (DynamoDB Local, the local Step Functions runner). */
  dynamoDbEndpoint: () => optional('DYNAMODB_ENDPOINT'),
  stepFunctionsEndpoint: () => optional('SFN_ENDPOINT'),
};
