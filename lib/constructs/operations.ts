import { Annotations, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  AlarmWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alarmDescription, alarmRule, alarmRules, businessMetrics, SERVICE_METRICS_NAMESPACE, type AlarmRule } from '../alarms';
import { SERVICE_NAME } from '../function-settings';

export interface OperationsProps {
  /** Subscribed to the ops topic by email (CDK context `opsEmail`); without it synth warns. */
  readonly opsEmail: string | undefined;
  /** Alarm names start with this (the admin route lists alarms by it). */
  readonly alarmNamePrefix: string;
  readonly httpApi: IHttpApi;
  /** API handlers: Errors and Throttles are faults. */
  readonly apiFunctions: ReadonlyMap<string, IFunction>;
  /** Workflow steps: only Throttles (they throw business outcomes; their faults are the StepFaults metric). */
  readonly taskFunctions: ReadonlyMap<string, IFunction>;
  readonly stateMachine: IStateMachine;
  readonly tables: readonly ITable[];
  readonly removalPolicy: RemovalPolicy;
}

const operator = (rule: AlarmRule) =>
  rule.comparison === '>=' ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD : ComparisonOperator.GREATER_THAN_THRESHOLD;

/**
 * Ops alarms by email: the ops SNS topic (its own KMS key, which CloudWatch may use to publish), one
 * CloudWatch alarm per rule of lib/alarms.ts (per function, table, consumer or queue where the rule is per
 * resource), every alarm notifying the topic on ALARM and on OK, and a dashboard with the business metrics
 * beside the technical ones. Resources that other issues add later are put under watch with
 * `watchStreamConsumer` and `watchDeadLetterQueue`.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly dashboard: Dashboard;
  /** Every alarm, by construct id (rule id, or rule id + resource name). */
  readonly alarms = new Map<string, Alarm>();
  private readonly action: SnsAction;
  private readonly props: OperationsProps;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.props = props;

    // A key of its own: CloudWatch must be allowed to use the key of a topic it publishes to, and the
    // data key (tables, labels, secrets) should not be opened to another service for that.
    this.key = new Key(this, 'TopicKey', {
      description: 'Order Service ops alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    this.topic = new Topic(this, 'OpsAlarms', {
      displayName: 'Order Service ops alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.opsEmail) {
      this.topic.addSubscription(new EmailSubscription(props.opsEmail));
    } else {
      Annotations.of(this).addWarningV2('order-service:no-ops-email',
        'No ops email configured: the ops alarm topic has no subscriber, so alarms reach nobody. Deploy with `-c opsEmail=ops@example.com` (the address must confirm the SNS subscription email).');
    }
    this.action = new SnsAction(this.topic);

    // API 5xx rate, in percent of requests, once there is enough traffic to speak of a rate.
    const api = alarmRule('Api5xxRate');
    if (api.source.kind !== 'api5xxRate') throw new Error('Api5xxRate must be an api5xxRate rule');
    const period = Duration.seconds(api.periodSeconds);
    this.alarm(api, 'Api5xxRate', new MathExpression({
      expression: `IF(requests >= ${api.source.minRequests}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: props.httpApi.metricServerError({ period, statistic: 'Sum' }),
        requests: props.httpApi.metricCount({ period, statistic: 'Sum' }),
      },
      period,
      label: 'API 5xx (% of requests)',
    }));

    // Lambda faults, per function: which function failed is the first thing the person paged needs.
    for (const [name, fn] of props.apiFunctions) this.watchFunction(name, fn, { errorsAreFaults: true });
    for (const [name, fn] of props.taskFunctions) this.watchFunction(name, fn, { errorsAreFaults: false });

    const executions = alarmRule('ExecutionFaults');
    const executionPeriod = Duration.seconds(executions.periodSeconds);
    this.alarm(executions, 'ExecutionFaults', new MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: {
        failed: props.stateMachine.metricFailed({ period: executionPeriod, statistic: 'Sum' }),
        timedOut: props.stateMachine.metricTimedOut({ period: executionPeriod, statistic: 'Sum' }),
      },
      period: executionPeriod,
      label: 'Executions failed + timed out',
    }));

    const throttles = alarmRule('TableThrottles');
    props.tables.forEach((table, index) => {
      const p = Duration.seconds(throttles.periodSeconds);
      const name = index === 0 ? 'Main' : 'Idempotency';
      this.alarm(throttles, `TableThrottles${name}`, new MathExpression({
        expression: 'reads + writes',
        usingMetrics: {
          reads: table.metric('ReadThrottleEvents', { period: p, statistic: 'Sum' }),
          writes: table.metric('WriteThrottleEvents', { period: p, statistic: 'Sum' }),
        },
        period: p,
        label: `${name} table throttle events`,
      }), name);
    });

    // The service's own metrics (EMF): one alarm each on the [service] total.
    for (const r of alarmRules) {
      if (r.source.kind === 'serviceMetric') this.alarm(r, r.id, this.serviceMetric(r.source.metricName, r.source.statistic, r.periodSeconds));
    }

    this.dashboard = this.buildDashboard();
  }

  /** A service metric's `[service]` total (functions/commons/powertools.ts `countMetric`). */
  serviceMetric(metricName: string, statistic = 'Sum', periodSeconds = 300, dimensions: Record<string, string> = {}): Metric {
    return new Metric({
      namespace: SERVICE_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME, ...dimensions },
      statistic,
      period: Duration.seconds(periodSeconds),
    });
  }

  /**
   * Puts a Lambda under the FunctionFaults rule: Errors + Throttles when every error it throws is a fault
   * (API handlers, a stream consumer, a scheduled job), Throttles only when it throws business outcomes for
   * a state machine's Catch (workflow steps).
   */
  watchFunction(name: string, fn: IFunction, options: { errorsAreFaults: boolean }): Alarm {
    const faults = alarmRule('FunctionFaults');
    const period = Duration.seconds(faults.periodSeconds);
    const metric = options.errorsAreFaults
      ? new MathExpression({
          expression: 'errors + throttles',
          usingMetrics: { errors: fn.metricErrors({ period, statistic: 'Sum' }), throttles: fn.metricThrottles({ period, statistic: 'Sum' }) },
          period,
          label: `${name} errors + throttles`,
        })
      : fn.metricThrottles({ period, statistic: 'Sum' });
    const alarm = this.alarm(faults, `FunctionFaults${name}`, metric, name);
    // Called after the dashboard exists (resources added later): graph it there too.
    if (this.dashboard) this.dashboard.addWidgets(new AlarmWidget({ title: `${name}: faults`, alarm, width: 12 }));
    return alarm;
  }

  /** Puts a change-stream consumer under watch: its iterator age (lag) alarms after 3 minutes over 5 min of lag. */
  watchStreamConsumer(name: string, fn: IFunction): Alarm {
    const r = alarmRule('StreamConsumerLag');
    const alarm = this.alarm(r, `StreamConsumerLag${name}`, fn.metric('IteratorAge', { period: Duration.seconds(r.periodSeconds), statistic: 'Maximum' }), name);
    this.dashboard.addWidgets(new AlarmWidget({ title: `${name}: iterator age (ms)`, alarm, width: 12 }));
    return alarm;
  }

  /** Puts a dead-letter queue under watch: any message waiting in it alarms. */
  watchDeadLetterQueue(name: string, queue: IQueue): Alarm {
    const r = alarmRule('DeadLetterQueue');
    const alarm = this.alarm(r, `DeadLetterQueue${name}`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.seconds(r.periodSeconds), statistic: 'Maximum' }), name);
    this.dashboard.addWidgets(new AlarmWidget({ title: `${name}: messages in the dead-letter queue`, alarm, width: 12 }));
    return alarm;
  }

  private alarm(rule: AlarmRule, id: string, metric: IMetric, resource?: string): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.props.alarmNamePrefix}${rule.id}${resource ? `-${resource}` : ''}`,
      alarmDescription: alarmDescription(rule),
      metric,
      threshold: rule.threshold,
      comparisonOperator: operator(rule),
      evaluationPeriods: rule.evaluationPeriods,
      datapointsToAlarm: rule.evaluationPeriods,
      // No data is no traffic, not a fault.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(id, alarm);
    return alarm;
  }

  private buildDashboard(): Dashboard {
    const props = this.props;
    const search = (metricName: string, by: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${SERVICE_METRICS_NAMESPACE},${by},service} MetricName="${metricName}"', 'Sum', 300)`,
        label,
        period: Duration.minutes(5),
      });
    const business = businessMetrics.map((m) =>
      new GraphWidget({
        title: m.title,
        left: [m.by ? search(m.metricName, m.by, m.metricName) : this.serviceMetric(m.metricName)],
        width: 6,
        height: 5,
      }),
    );
    const fns = [...props.apiFunctions.values(), ...props.taskFunctions.values()];
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(new TextWidget({
      markdown: '# Order Service\nBusiness metrics (top) beside the technical ones (below). Each alarm\'s description links its runbook section (docs/runbook.md).',
      width: 24,
      height: 2,
    }));
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Ops alarms', alarms: [...this.alarms.values()], width: 24, height: 6 }));
    dashboard.addWidgets(...business);
    dashboard.addWidgets(
      new GraphWidget({ title: 'API requests and 5xx', left: [props.httpApi.metricCount({ statistic: 'Sum' })], right: [props.httpApi.metricServerError({ statistic: 'Sum' })], width: 8 }),
      new GraphWidget({ title: 'API latency p99 (ms)', left: [props.httpApi.metricLatency({ statistic: 'p99' }), props.httpApi.metricIntegrationLatency({ statistic: 'p99' })], width: 8 }),
      new GraphWidget({
        title: 'Executions',
        left: [props.stateMachine.metricStarted(), props.stateMachine.metricSucceeded(), props.stateMachine.metricFailed(), props.stateMachine.metricTimedOut()],
        width: 8,
      }),
      new GraphWidget({ title: 'Lambda errors', left: fns.map((fn) => fn.metricErrors({ statistic: 'Sum' })), width: 8 }),
      new GraphWidget({ title: 'Lambda throttles', left: fns.map((fn) => fn.metricThrottles({ statistic: 'Sum' })), width: 8 }),
      new GraphWidget({ title: 'Step faults by step', left: [search('StepFaults', 'step', 'StepFaults')], width: 8 }),
      new GraphWidget({ title: 'Compensation failures (orders flagged needsAttention)', left: [this.serviceMetric('CompensationFailures')], width: 8 }),
      new GraphWidget({ title: 'Outbox effects / failures (retried)', left: [this.serviceMetric('OutboxEffects')], right: [this.serviceMetric('OutboxEffectFailures')], width: 8 }),
      new GraphWidget({ title: 'Reconciler repairs by kind', left: [search('ReconcilerRepairs', 'kind', 'ReconcilerRepairs')], width: 8 }),
      new GraphWidget({ title: 'Alerts published / failed', left: [this.serviceMetric('AlertsPublished')], right: [this.serviceMetric('AlertPublishFailures')], width: 8 }),
      new GraphWidget({
        title: 'DynamoDB throttle events',
        left: props.tables.flatMap((t) => [t.metric('ReadThrottleEvents', { statistic: 'Sum' }), t.metric('WriteThrottleEvents', { statistic: 'Sum' })]),
        width: 8,
      }),
      new GraphWidget({ title: 'Cold starts', left: [search('ColdStart', 'function_name', 'ColdStart')], width: 8 }),
    );
    return dashboard;
  }
}
