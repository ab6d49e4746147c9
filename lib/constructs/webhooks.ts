import { Duration } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';

/**
 * Events for integrators on AWS: the service's EventBridge bus (the outbox consumer puts every event on it,
 * `source` order-service, `detail-type` the event type; add rules to route them), and the schedule that runs
 * the webhook dispatcher every minute (it sweeps for a minute, so runs overlap slightly and retries keep their
 * seconds-scale schedule; docs/decisions.md 2026-12-02 says why a table-backed queue and not SQS).
 */
export class Webhooks extends Construct {
  readonly bus: EventBus;
  schedule?: Schedule;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Order Service events for integrators (order.*, inventory.*)' });
  }

  scheduleDispatcher(dispatcher: IFunction): Schedule {
    this.schedule = new Schedule(this, 'DispatcherSchedule', {
      description: 'Order Service webhook dispatcher: attempts due webhook deliveries (it sweeps for about a minute)',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: new LambdaInvoke(dispatcher, { retryAttempts: 0 }),
    });
    return this.schedule;
  }
}
