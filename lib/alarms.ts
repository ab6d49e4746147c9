/**
 * The one list of ops alarms. CDK builds the CloudWatch alarms from it (lib/constructs/operations.ts) and
 * local mode evaluates the same rules against what the in-process handlers emit (local/ops-alarms.ts), so
 * a threshold or a description is changed in one place. Plain data: no aws-cdk-lib import, because local
 * mode loads this file at start.
 *
 * Every rule has a section in docs/runbook.md; the anchor is the rule id in lower case
 * (test/infra/operations.test.ts checks that each one exists).
 */

/** The namespace of the service's own (Powertools EMF) metrics; functions/commons/powertools.ts uses it too. */
export const SERVICE_METRICS_NAMESPACE = 'OrderService';

/** What an alarm watches. */
export type AlarmSource =
  /** A service metric (EMF) summed over its `[service]` dimension set: the total over every breakdown. */
  | { kind: 'serviceMetric'; metricName: string; statistic: 'Sum' | 'Maximum' }
  /** Share of HTTP API requests answered 5xx, in percent, once there are at least `minRequests` requests. */
  | { kind: 'api5xxRate'; minRequests: number }
  /** Per Lambda: Errors (API handlers only: workflow steps throw business outcomes too) + Throttles. */
  | { kind: 'functionFaults' }
  /** State machine executions that failed or timed out (business outcomes end them successfully). */
  | { kind: 'executionFaults' }
  /** Per table: read + write throttle events. */
  | { kind: 'tableThrottles' }
  /** Per stream consumer Lambda: the age of the oldest record it has not processed (ms). */
  | { kind: 'iteratorAge' }
  /** Per dead-letter queue: messages waiting. */
  | { kind: 'queueDepth' };

export interface AlarmRule {
  /** PascalCase: construct id, alarm name suffix, runbook anchor (lower case). */
  readonly id: string;
  readonly title: string;
  /** What it means, for the person paged. */
  readonly meaning: string;
  /** Where to look first. */
  readonly look: string;
  readonly source: AlarmSource;
  readonly comparison: '>=' | '>';
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** How local mode evaluates it, or why it cannot (no such thing runs locally). */
  readonly local: { signal: string } | { notLocal: string };
}

export const RUNBOOK = 'docs/runbook.md';
export const runbookAnchor = (rule: AlarmRule) => `${RUNBOOK}#${rule.id.toLowerCase()}`;

/** The alarm description CloudWatch shows and the ops email carries (CloudWatch allows 1024 characters). */
export function alarmDescription(rule: AlarmRule): string {
  return `${rule.title}: ${rule.meaning} Look first: ${rule.look} Runbook: ${runbookAnchor(rule)}`;
}

const FIVE_MINUTES = 300;

export const alarmRules: readonly AlarmRule[] = [
  {
    id: 'Api5xxRate',
    title: 'API 5xx rate',
    meaning: 'More than 5% of API requests in 5 minutes were answered with a 5xx (at least 10 requests). Clients see errors; POST /orders retries are safe (Idempotency-Key).',
    look: 'API access logs (status, routeKey, integrationError), then the failing route\'s Lambda logs.',
    source: { kind: 'api5xxRate', minRequests: 10 },
    comparison: '>',
    threshold: 5,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'ApiResponses' },
  },
  {
    id: 'FunctionFaults',
    title: 'Lambda errors or throttles',
    meaning: 'A Lambda crashed, timed out or was throttled (API handlers turn every handled error into a response, so an Error here is a real fault; workflow steps are watched for throttles only, their faults are StepFaults).',
    look: 'The function\'s log group (errors, "Task timed out"), its Throttles and the account concurrency.',
    source: { kind: 'functionFaults' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'FunctionErrors' },
  },
  {
    id: 'StepFaults',
    title: 'Workflow step faults',
    meaning: 'Workflow steps threw faults (not business outcomes such as out of stock or a decline) at least 3 times in 5 minutes. Step Functions retries them; orders may end FAILED with PAYMENT_ERROR or FULFILLMENT_ERROR.',
    look: 'StepFaults by step on the dashboard, then that step\'s Lambda logs (errorName, orderId).',
    source: { kind: 'serviceMetric', metricName: 'StepFaults', statistic: 'Sum' },
    comparison: '>=',
    threshold: 3,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'StepFaults' },
  },
  {
    id: 'ExecutionFaults',
    title: 'Failed or timed-out workflow executions',
    meaning: 'An order saga execution failed or timed out. Business outcomes end executions successfully, so this is a fault: the order may be stuck or its compensation incomplete.',
    look: 'Step Functions console, the failed execution\'s event history (state, error, cause), then the order in the admin dashboard.',
    source: { kind: 'executionFaults' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'ExecutionFaults' },
  },
  {
    id: 'CompensationFailures',
    title: 'Compensation failed',
    meaning: 'An order was marked needsAttention: releasing stock, voiding or refunding still failed after its retries (or its workflow kept failing), so stock or a customer\'s money may be held.',
    look: 'Admin dashboard orders needing attention (shown first), the order timeline and payment history, the compensating step\'s logs.',
    source: { kind: 'serviceMetric', metricName: 'CompensationFailures', statistic: 'Sum' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'CompensationFailures' },
  },
  {
    id: 'PaymentAttention',
    title: 'Payment needs attention',
    meaning: 'A charge was disputed, a refund the provider had accepted failed later, or an unshipped order\'s card authorization expires within 24 h; the order is marked needsAttention.',
    look: 'Admin dashboard orders needing attention, GET /admin/disputes?status=needs_response, the order\'s payment history.',
    source: { kind: 'serviceMetric', metricName: 'PaymentAttention', statistic: 'Sum' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'PaymentAttention' },
  },
  {
    id: 'ReconcilerRepairs',
    title: 'Reconciler repairs',
    meaning: 'The reconciler repaired drift at least 5 times in 15 minutes: something upstream (outbox consumer, workflow start, provider webhooks) keeps dropping work.',
    look: 'ReconcilerRepairs by kind on the dashboard, then orders with timeline entries by: reconciler, and the stream consumer\'s logs.',
    source: { kind: 'serviceMetric', metricName: 'ReconcilerRepairs', statistic: 'Sum' },
    comparison: '>=',
    threshold: 5,
    periodSeconds: 3 * FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'ReconcilerRepairs' },
  },
  {
    id: 'TableThrottles',
    title: 'DynamoDB throttling',
    meaning: 'A table throttled reads or writes. On-demand tables throttle only on sudden traffic jumps or hot keys; requests are retried, then fail with 503 or step retries.',
    look: 'The table\'s CloudWatch metrics (ReadThrottleEvents, WriteThrottleEvents, by index) and CloudWatch Contributor Insights for hot keys.',
    source: { kind: 'tableThrottles' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { notLocal: 'DynamoDB Local never throttles.' },
  },
  {
    id: 'AlertPublishFailures',
    title: 'Alert publish failures',
    meaning: 'A low-stock alert was stored but could not be published to SNS: ops did not get the email.',
    look: 'Admin dashboard alerts (published: false), the publishing function\'s logs, the alert topic and its KMS key policy.',
    source: { kind: 'serviceMetric', metricName: 'AlertPublishFailures', statistic: 'Sum' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'AlertPublishFailures' },
  },
  {
    id: 'WebhookDeliveryFailing',
    title: 'Webhook subscription failing',
    meaning: 'A webhook delivery gave up after its 72 h retry window: the subscriber did not answer 2xx, its subscription is marked failing, and its system is missing that event.',
    look: 'Admin dashboard Webhooks page (failing subscriptions, their delivery log: status codes, errors), then contact the subscriber; replay the missed events once it answers again.',
    source: { kind: 'serviceMetric', metricName: 'WebhookDeliveriesAbandoned', statistic: 'Sum' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    local: { signal: 'WebhookDeliveriesAbandoned' },
  },
  {
    id: 'StreamConsumerLag',
    title: 'Change-stream consumer lag',
    meaning: 'The table\'s change-stream consumer is more than 5 minutes behind for 3 periods in a row: workflow starts, customer emails and alerts are delayed.',
    look: 'The consumer Lambda\'s errors and duration, its event source mapping, its dead-letter queue.',
    source: { kind: 'iteratorAge' },
    comparison: '>=',
    threshold: 5 * 60 * 1000,
    periodSeconds: 60,
    evaluationPeriods: 3,
    // Locally the stream poller reports the age of the oldest record of each batch it hands to the consumer.
    local: { signal: 'OutboxIteratorAge' },
  },
  {
    id: 'DeadLetterQueue',
    title: 'Dead-letter queue not empty',
    meaning: 'Records or messages gave up after their retries and wait in a dead-letter queue: their effects did not happen.',
    look: 'The queue\'s messages (they carry the failed batch\'s stream positions), the consumer\'s logs at that time; redrive after fixing.',
    source: { kind: 'queueDepth' },
    comparison: '>=',
    threshold: 1,
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    // Locally the stream poller reports each record it gives up on (.data/outbox/dead-letters.log).
    local: { signal: 'OutboxDeadLetters' },
  },
];

export function alarmRule(id: string): AlarmRule {
  const rule = alarmRules.find((r) => r.id === id);
  if (!rule) throw new Error(`No alarm rule ${id} in lib/alarms.ts`);
  return rule;
}

/** The business metrics (EMF, namespace OrderService) the dashboard shows; `by` is their breakdown dimension. */
export const businessMetrics: readonly { metricName: string; title: string; by?: string }[] = [
  { metricName: 'OrdersPlaced', title: 'Orders placed' },
  { metricName: 'OrdersPaid', title: 'Orders paid' },
  { metricName: 'OrdersShipped', title: 'Orders shipped' },
  { metricName: 'OrdersDelivered', title: 'Orders delivered', by: 'by' },
  { metricName: 'OrdersCancelled', title: 'Orders cancelled', by: 'by' },
  { metricName: 'OrdersFailed', title: 'Orders failed by reason', by: 'reason' },
  { metricName: 'PaymentDeclines', title: 'Payment declines by code', by: 'code' },
  { metricName: 'Revenue', title: 'Revenue captured (minor units) by currency', by: 'currency' },
  { metricName: 'Refunds', title: 'Refunds', by: 'source' },
  { metricName: 'OutOfStock', title: 'Out-of-stock orders' },
  { metricName: 'TransactionConflicts', title: 'Transaction conflicts (retried)' },
];
