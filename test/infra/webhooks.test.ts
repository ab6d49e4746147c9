import { allActionsOf, functionLogicalId, logicalIdsOfType, statementsOf, actionsOf, resourcesOf, synth, type Resources } from './support';

/**
 * Events for integrators on AWS: the EventBridge bus, only the outbox consumer may put events on it, the
 * dispatcher runs every minute with room for a one-minute sweep, and its give-up raises an ops alarm.
 */
const { template, routesTemplate } = synth();
const resources = template.toJSON().Resources as Resources;

it('has one event bus; the outbox consumer alone may put events, on that bus only, and knows its name', () => {
  const [bus] = logicalIdsOfType(template, 'AWS::Events::EventBus');
  expect(logicalIdsOfType(template, 'AWS::Events::EventBus')).toHaveLength(1);
  const puts = statementsOf(template, 'OutboxConsumer').filter((s) => actionsOf(s).includes('events:PutEvents'));
  expect(puts).toHaveLength(1);
  expect(resourcesOf(puts[0]!)).toEqual([{ 'Fn::GetAtt': [bus, 'Arn'] }]);
  expect(resources[functionLogicalId(template, 'OutboxConsumer')]!.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: bus });
  for (const name of ['WebhookDispatcher', 'PlaceOrder', 'Reconciler', 'AdminCreateWebhook']) expect({ name, put: allActionsOf(template, name).has('events:PutEvents') }).toEqual({ name, put: false });
});

it('the dispatcher runs every minute and may run 90 s (a sweep of a minute plus an attempt in flight)', () => {
  const dispatcher = functionLogicalId(template, 'WebhookDispatcher');
  expect(resources[dispatcher]!.Properties.Timeout).toBe(90);
  const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule' && JSON.stringify(r.Properties.Target.Arn).includes(dispatcher));
  expect(schedules).toHaveLength(1);
  expect(schedules[0]!.Properties.ScheduleExpression).toBe('rate(1 minute)');
  // Retries are WEBHOOK_* settings with their defaults on AWS (72 h window, 10 s timeout): none is overridden.
  expect(Object.keys(resources[dispatcher]!.Properties.Environment.Variables).filter((k) => k.startsWith('WEBHOOK_'))).toEqual([]);
});

it('a delivery that gives up raises the WebhookDeliveryFailing alarm', () => {
  const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties.AlarmName ?? '').endsWith('WebhookDeliveryFailing'));
  expect(alarms).toHaveLength(1);
  expect(JSON.stringify(alarms[0]!.Properties)).toContain('WebhookDeliveriesAbandoned');
});

it('GET /openapi.json is public; the webhook admin routes take admin tokens', () => {
  const routes = Object.values(routesTemplate.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r.Properties]));
  expect(byKey.get('GET /openapi.json')!.AuthorizationType).toBe('NONE');
  for (const key of ['GET /admin/webhooks', 'POST /admin/webhooks', 'PATCH /admin/webhooks/{id}', 'DELETE /admin/webhooks/{id}', 'GET /admin/webhooks/{id}/deliveries', 'POST /admin/webhooks/{id}/replay']) {
    expect({ key, auth: byKey.get(key)?.AuthorizationType }).toEqual({ key, auth: 'JWT' });
  }
});
