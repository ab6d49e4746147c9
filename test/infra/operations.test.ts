/**
 * Ops alarms, the ops topic and the dashboard, as synthesized. Each alarm is checked for what it watches
 * (namespace, metric, dimensions pointing at the right resource), its threshold and comparison, and that it
 * notifies the ops topic: the expectations are written out here, not read from lib/alarms.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { OrderServiceStack, PROJECT_ROOT } from '../../lib/order-service-stack';
import { routes, workflowTasks } from '../../lib/routes';
import { cdkJsonContext, definitionFileForTests, functionLogicalId, logicalIdWithPrefix, statementsOf, synth, tempOutdir, actionsOf, type Resources } from './support';

let template: Template;
let resources: Resources;
let stack: OrderServiceStack;

beforeAll(() => {
  const app = new App({ outdir: tempOutdir(), context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
  stack = new OrderServiceStack(app, 'OrderService', { definitionFile: definitionFileForTests() });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

type AlarmProps = Record<string, any>;
const alarm = (name: string): AlarmProps => {
  const found = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === `OrderService-${name}`);
  if (found.length !== 1) throw new Error(`Expected one alarm OrderService-${name}, found ${found.length}`);
  return found[0].Properties;
};
const alarms = () => Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties as AlarmProps);
/** The metrics a math alarm reads, by id: { namespace, metricName, dimensions, stat }. */
const mathMetrics = (a: AlarmProps) =>
  Object.fromEntries(
    (a.Metrics as any[]).filter((m) => m.MetricStat).map((m) => [
      m.Id,
      { namespace: m.MetricStat.Metric.Namespace, metricName: m.MetricStat.Metric.MetricName, dimensions: m.MetricStat.Metric.Dimensions, stat: m.MetricStat.Stat },
    ]),
  );
const expression = (a: AlarmProps) => (a.Metrics as any[]).find((m) => m.Expression)?.Expression;
const serviceDims = [{ Name: 'service', Value: 'order-service' }];
const topicId = () => logicalIdWithPrefix(template, 'AWS::SNS::Topic', 'OperationsOpsAlarms');

describe('ops topic', () => {
  it('is encrypted with its own rotating key that CloudWatch (this account only) may use, TLS-only, with the ops email subscribed', () => {
    const keyId = logicalIdWithPrefix(template, 'AWS::KMS::Key', 'OperationsTopicKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(resources[keyId].Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]));
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: cdkJsonContext.opsEmail, TopicArn: { Ref: topicId() } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('synth without opsEmail still works, with a warning that says alarms reach nobody and how to fix it', () => {
    const { stack: bare, template: t } = synth({ opsEmail: '' });
    const warnings = Annotations.fromStack(bare).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/ops alarm topic has no subscriber.*-c opsEmail=/)]);
    const opsTopic = logicalIdWithPrefix(t, 'AWS::SNS::Topic', 'OperationsOpsAlarms');
    const subs = Object.values(t.findResources('AWS::SNS::Subscription')).filter((r: any) => r.Properties.TopicArn.Ref === opsTopic);
    expect(subs).toEqual([]);
  });

  it('every alarm notifies the ops topic when it fires and when it recovers, and treats no data as fine', () => {
    const all = alarms();
    expect(all.length).toBeGreaterThan(routes.length + workflowTasks.length);
    for (const a of all) {
      expect({ name: a.AlarmName, alarm: a.AlarmActions, ok: a.OKActions, missing: a.TreatMissingData }).toEqual({
        name: a.AlarmName,
        alarm: [{ Ref: topicId() }],
        ok: [{ Ref: topicId() }],
        missing: 'notBreaching',
      });
    }
  });

  it('every alarm description says what it means, where to look, and links an existing runbook section', () => {
    const runbook = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const a of alarms()) {
      const link = /Runbook: docs\/runbook\.md#([a-z0-9-]+)/.exec(a.AlarmDescription);
      expect({ name: a.AlarmName, link: link?.[1], look: a.AlarmDescription.includes('Look first:') }).toEqual({ name: a.AlarmName, link: expect.any(String), look: true });
      expect({ name: a.AlarmName, anchorExists: anchors.has(link![1]) }).toEqual({ name: a.AlarmName, anchorExists: true });
      expect(a.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });
});

describe('alarms', () => {
  it('API 5xx rate: 5xx over requests of this HTTP API, in percent, above 5 once there are 10 requests', () => {
    const a = alarm('Api5xxRate');
    const apiId = logicalIdWithPrefix(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    expect(mathMetrics(a)).toEqual({
      errors: { namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }], stat: 'Sum' },
      requests: { namespace: 'AWS/ApiGateway', metricName: 'Count', dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }], stat: 'Sum' },
    });
    expect(expression(a)).toBe('IF(requests >= 10, 100 * errors / requests, 0)');
    expect([a.ComparisonOperator, a.Threshold]).toEqual(['GreaterThanThreshold', 5]);
  });

  it('Lambda faults: one alarm per API handler on its own Errors + Throttles, at the first one', () => {
    for (const route of routes) {
      const a = alarm(`FunctionFaults-${route.name}`);
      const fn = { Name: 'FunctionName', Value: { Ref: functionLogicalId(template, route.name) } };
      expect(mathMetrics(a)).toEqual({
        errors: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: [fn], stat: 'Sum' },
        throttles: { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: [fn], stat: 'Sum' },
      });
      expect([a.ComparisonOperator, a.Threshold]).toEqual(['GreaterThanOrEqualToThreshold', 1]);
    }
  });

  it('workflow steps alarm on throttles only: their Errors include business outcomes (out of stock, declined)', () => {
    for (const task of workflowTasks) {
      const a = alarm(`FunctionFaults-${task.name}`);
      expect({ task: task.name, metric: a.MetricName, ns: a.Namespace, dims: a.Dimensions, threshold: a.Threshold }).toEqual({
        task: task.name, metric: 'Throttles', ns: 'AWS/Lambda', dims: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(template, task.name) } }], threshold: 1,
      });
    }
    // Their faults are counted by the step wrapper instead.
    const steps = alarm('StepFaults');
    expect([steps.Namespace, steps.MetricName, steps.Dimensions, steps.Statistic, steps.Threshold]).toEqual(['OrderService', 'StepFaults', serviceDims, 'Sum', 3]);
  });

  it('failed or timed-out executions of the order state machine, at the first one', () => {
    const a = alarm('ExecutionFaults');
    const sm = { Name: 'StateMachineArn', Value: { Ref: logicalIdWithPrefix(template, 'AWS::StepFunctions::StateMachine', 'WorkflowOrderFulfillment') } };
    expect(mathMetrics(a)).toEqual({
      failed: { namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: [sm], stat: 'Sum' },
      timedOut: { namespace: 'AWS/States', metricName: 'ExecutionsTimedOut', dimensions: [sm], stat: 'Sum' },
    });
    expect(expression(a)).toBe('failed + timedOut');
    expect([a.ComparisonOperator, a.Threshold]).toEqual(['GreaterThanOrEqualToThreshold', 1]);
  });

  it('compensation failures (an order flagged needsAttention): the service total, at the first one', () => {
    const c = alarm('CompensationFailures');
    expect([c.Namespace, c.MetricName, c.Dimensions, c.Statistic, c.ComparisonOperator, c.Threshold]).toEqual(['OrderService', 'CompensationFailures', serviceDims, 'Sum', 'GreaterThanOrEqualToThreshold', 1]);
  });

  it('reconciler repairs: at least 5 in 15 minutes (a few repairs are its job; many mean something upstream drops work)', () => {
    const a = alarm('ReconcilerRepairs');
    expect([a.Namespace, a.MetricName, a.Dimensions, a.Statistic, a.Period, a.Threshold, a.ComparisonOperator]).toEqual(['OrderService', 'ReconcilerRepairs', serviceDims, 'Sum', 900, 5, 'GreaterThanOrEqualToThreshold']);
  });

  it('alert publish failures: at the first one', () => {
    const a = alarm('AlertPublishFailures');
    expect([a.Namespace, a.MetricName, a.Dimensions, a.Threshold]).toEqual(['OrderService', 'AlertPublishFailures', serviceDims, 1]);
  });

  it('DynamoDB throttling: read + write throttle events of each table', () => {
    for (const [name, prefix] of [['Main', 'DataOrderTable'], ['Idempotency', 'DataIdempotencyTable']]) {
      const a = alarm(`TableThrottles-${name}`);
      const table = [{ Name: 'TableName', Value: { Ref: logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', prefix) } }];
      expect(mathMetrics(a)).toEqual({
        reads: { namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensions: table, stat: 'Sum' },
        writes: { namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensions: table, stat: 'Sum' },
      });
      expect(a.Threshold).toBe(1);
    }
  });

  it('the change-stream consumer: its IteratorAge (maximum) at 5 minutes for 3 periods in a row', () => {
    const a = alarm('StreamConsumerLag-OutboxConsumer');
    expect([a.Namespace, a.MetricName, a.Dimensions, a.Statistic, a.Threshold, a.EvaluationPeriods, a.DatapointsToAlarm, a.AlarmActions]).toEqual([
      'AWS/Lambda', 'IteratorAge', [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(template, 'OutboxConsumer') } }], 'Maximum', 300000, 3, 3, [{ Ref: topicId() }],
    ]);
  });

  it('the consumer\'s dead-letter queue: any visible message', () => {
    const a = alarm('DeadLetterQueue-OutboxConsumer');
    const queueId = logicalIdWithPrefix(template, 'AWS::SQS::Queue', 'OutboxDeadLetters');
    expect([a.Namespace, a.MetricName, a.Dimensions, a.Statistic, a.ComparisonOperator, a.Threshold, a.AlarmActions]).toEqual([
      'AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }], 'Maximum', 'GreaterThanOrEqualToThreshold', 1, [{ Ref: topicId() }],
    ]);
  });

  it('the consumer and the reconciler throw only on faults: Errors + Throttles, like the API handlers', () => {
    for (const name of ['OutboxConsumer', 'Reconciler']) {
      const fn = { Name: 'FunctionName', Value: { Ref: functionLogicalId(template, name) } };
      expect(mathMetrics(alarm(`FunctionFaults-${name}`))).toEqual({
        errors: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: [fn], stat: 'Sum' },
        throttles: { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: [fn], stat: 'Sum' },
      });
    }
  });
});

describe('dashboard and the ops alarms route', () => {
  it('one dashboard shows business metrics beside technical ones', () => {
    const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const business of ['OrdersPlaced', 'OrdersShipped', 'OrdersFailed', 'PaymentDeclines', 'Revenue', 'Refunds', 'OutOfStock']) expect(body).toContain(business);
    for (const technical of ['5xx', 'ExecutionsFailed', 'Errors', 'Throttles', 'ReadThrottleEvents', 'StepFaults', 'CompensationFailures', 'ReconcilerRepairs', 'AlertPublishFailures']) expect(body).toContain(technical);
    // Resources put under watch later get their alarm's graph on the dashboard too.
    expect(body).toMatch(/OperationsStreamConsumerLagOutboxConsumer[0-9A-F]{8}/);
    expect(body).toMatch(/OperationsDeadLetterQueueOutboxConsumer[0-9A-F]{8}/);
  });

  it('the ops alarms route may only describe this stack\'s alarms, and touches no table', () => {
    const statements = statementsOf(template, 'AdminListOpsAlarms');
    const actions = statements.flatMap(actionsOf).filter((a) => !a.startsWith('xray:'));
    expect(actions).toEqual(['cloudwatch:DescribeAlarms']);
    const statement = statements.find((s) => actionsOf(s).includes('cloudwatch:DescribeAlarms'))!;
    expect(JSON.stringify(statement.Resource)).toContain(':alarm:OrderService-*');
    const fn = resources[functionLogicalId(template, 'AdminListOpsAlarms')].Properties;
    expect(fn.Environment.Variables).toMatchObject({ OPS_ALARM_PREFIX: 'OrderService-' });
    expect(fn.Environment.Variables.TABLE_NAME).toBeUndefined();
  });
});
