import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OutboxProps {
  readonly table: ITable;
  readonly consumer: IFunction;
  readonly reconciler: IFunction;
  readonly key: IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Side effects from committed state: the main table's change stream feeds the outbox consumer through an
 * event source mapping (partial batch responses, bisect on error, bounded retries, then the record's
 * coordinates go to an encrypted SQS dead-letter queue), and EventBridge Scheduler runs the reconciler every
 * 5 minutes to repair whatever still drifted (docs/decisions.md: why a mapping, not EventBridge Pipes).
 */
export class Outbox extends Construct {
  readonly deadLetterQueue: Queue;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: OutboxProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    props.consumer.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.millis(0),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    this.schedule = new Schedule(this, 'ReconcilerSchedule', {
      description: 'Order Service reconciler: repairs drift between committed state and its side effects',
      schedule: ScheduleExpression.rate(Duration.minutes(5)),
      target: new LambdaInvoke(props.reconciler, { retryAttempts: 0 }),
    });
  }
}
