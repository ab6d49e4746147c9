import path from 'node:path';
import { LOCAL_REGION } from './lambda-context';
import { installLocalAlarms } from './ops-alarms';

export interface LocalEnvironment {
  tableName: string;
  idempotencyTableName: string;
  dynamoDbEndpoint: string;
  stepFunctionsEndpoint: string;
  stateMachineArn: string;
  dataDir: string;
  apiUrl: string;
  /** cognito-local: the handlers read an admin's email with GetUser (functions/commons/auth.ts). */
  cognitoEndpoint?: string;
}

/**
 * The environment the handlers read (functions/commons/config.ts), set in this process because the gateway
 * and the local Step Functions runner call the handler modules in-process. Wiring (tables, endpoints,
 * data dir) always comes from the running stack; tunables keep a value the user already exported.
 */
export function applyLocalEnv(local: LocalEnvironment, overrides: Record<string, string> = {}): Record<string, string> {
  const defaults: Record<string, string> = {
    ORDER_HOLD_SECONDS: '10',
    POWERTOOLS_SERVICE_NAME: 'order-service',
    // Handlers' JSON logs at INFO drown the request lines; `POWERTOOLS_LOG_LEVEL=INFO npm start` shows them.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_NAMESPACE: 'OrderService',
    // No X-Ray daemon and no CloudWatch locally: tracing off, and EMF is not printed: the handlers' metrics
    // go to the local alarm evaluator instead (local/ops-alarms.ts), which writes .data/ops/alarms.log.
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    // Local-only secrets: webhooks can be signed with these by hand (README shows how).
    CARRIER_WEBHOOK_SECRET: 'local-carrier-webhook-secret',
    STRIPE_WEBHOOK_SECRET: 'whsec_local_development_only',
    TRACKING_BASE_URL: `${local.apiUrl}/tracking`,
    // 3-D Secure in the sandbox: the approve/refuse page, and how long the workflow waits for it (AWS: 900 s).
    PAYMENT_ACTION_BASE_URL: `${local.apiUrl}/sandbox/payments`,
    PAYMENT_ACTION_TIMEOUT_SECONDS: '60',
    PAYMENT_ACTION_POLL_SECONDS: '2',
    SENDER_EMAIL: 'orders@example.com',
    // The reconciler runs every 30 s locally: an open order untouched for 20 s without a running workflow
    // is repaired (on AWS: every 5 minutes, 120 s).
    RECONCILER_STALE_SECONDS: '20',
    // Webhooks may go to any http(s) URL locally (a receiver on 127.0.0.1); on AWS only public https.
    WEBHOOK_TARGETS: 'any',
    // All handlers share one DynamoDB client in this process; see functions/commons/clients.ts.
    DYNAMODB_REQUEST_TIMEOUT_MS: '0',
  };
  const wiring: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // Dummy credentials: a stray call to real AWS fails instead of using the developer's own account.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: local.tableName,
    IDEMPOTENCY_TABLE_NAME: local.idempotencyTableName,
    DYNAMODB_ENDPOINT: local.dynamoDbEndpoint,
    SFN_ENDPOINT: local.stepFunctionsEndpoint,
    STATE_MACHINE_ARN: local.stateMachineArn,
    LOCAL_DATA_DIR: path.resolve(local.dataDir),
    API_BASE_URL: local.apiUrl,
    ...(local.cognitoEndpoint ? { COGNITO_ENDPOINT: local.cognitoEndpoint } : {}),
  };
  const applied: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) applied[key] = process.env[key] ?? value;
  Object.assign(applied, wiring, overrides);
  delete applied.AWS_SESSION_TOKEN;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, applied);
  installLocalAlarms(applied.LOCAL_DATA_DIR);
  return applied;
}
