import { dynamoDbClient } from '../../../functions/commons/clients';
import { orderStore } from '../../../functions/adapters/order-store';
import { handler as carrierWebhook } from '../../../functions/api/carrier-webhook';
import { recordTrackingEvent } from '../../../functions/fulfillment/service';
import { createShipmentForOrder } from '../../../functions/fulfillment/labelling';
import { makeTrackingNumber } from '../../../functions/domain/tracking';
import { routes } from '../../../lib/routes';
import { actionsOf, logicalIdWithPrefix, resourcesOf, statementsOf, synth } from '../../infra/support';
import { call, createOrderIn, useFulfillmentEnv, webhookRequest } from './support';
import { useIsolatedTables } from '../../support/dynamo';

/**
 * The public carrier webhook may touch only the key prefixes declared in lib/routes.ts (IAM
 * dynamodb:LeadingKeys). Proven from both ends: every DynamoDB request its code paths really send against
 * DynamoDB Local (recorded at the SDK) must be allowed by the policy in the synthesized template, evaluated
 * here the way IAM does (action, resource, LeadingKeys condition); and the policy allows nothing else.
 */
useIsolatedTables();
useFulfillmentEnv();

interface Access {
  action: string;
  index?: string;
  pk: string;
}
const recorded: Access[] = [];
let recording = false;

const OPS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
beforeAll(() => {
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) {
        const input = args.input as Record<string, any>;
        const command = String(context.commandName).replace(/Command$/, '');
        // Document-client requests may still be unmarshalled here: accept { S: 'x' } and plain 'x'.
        const str = (v: any): string => (typeof v === 'string' ? v : typeof v?.S === 'string' ? v.S : '(none)');
        const pkOf = (item: Record<string, any> | undefined) => str(item?.pk);
        if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
          for (const entry of input.TransactItems) {
            const [op, body] = Object.entries(entry)[0] as [string, any];
            recorded.push({ action: OPS[op], pk: pkOf(body.Key ?? body.Item) });
          }
        } else if (command === 'Query') {
          const placeholder = /\bpk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1];
          recorded.push({ action: 'Query', index: input.IndexName, pk: placeholder ? str(input.ExpressionAttributeValues[placeholder]) : '(not by pk)' });
        } else {
          recorded.push({ action: command, index: input.IndexName, pk: pkOf(input.Key ?? input.Item) });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordDynamoDbAccess' },
  );
});

async function shippedOrder() {
  const order = await createOrderIn('LABELLED');
  const shipment = await createShipmentForOrder(order);
  const shippedAt = new Date().toISOString();
  await orderStore.transition(order.id, 'SHIPPED', { actor: 'step:ship-order', reason: 'shipped' }, { set: { shipment: { ...shipment, shippedAt } } });
  await recordTrackingEvent(shipment.trackingNumber, { at: shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' });
  return shipment.trackingNumber;
}

let n = 0;
const event = (trackingNumber: string, status: string) => ({ eventId: `evt_grants_${n++}`, trackingNumber, status, occurredAt: new Date().toISOString() });

/** IAM's evaluation of one request against the function's table statements. */
function allowed(statements: ReturnType<typeof statementsOf>, tableId: string, access: Access): boolean {
  return statements.some((s) => {
    if (!actionsOf(s).includes(`dynamodb:${access.action}`)) return false;
    const resources = resourcesOf(s).map((r) => JSON.stringify(r));
    const onTable = resources.some((r) => r === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }));
    if (access.index ? !resources.some((r) => r.includes(tableId) && r.includes('/index/')) : !onTable) return false;
    const patterns: string[] | undefined = (s as any).Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    if (!patterns) return true;
    return patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(access.pk));
  });
}

it('every request of the carrier webhook code paths is allowed, and only the declared prefixes are', async () => {
  const tracked = await shippedOrder();
  const other = await shippedOrder();
  const notShipped = await createOrderIn('LABELLED');
  const label = await createShipmentForOrder(notShipped);
  recording = true;
  const inTransit = event(tracked, 'IN_TRANSIT');
  const outcomes = [
    await call(carrierWebhook, webhookRequest(inTransit)),
    await call(carrierWebhook, webhookRequest(inTransit)), // duplicate
    await call(carrierWebhook, webhookRequest(event(tracked, 'DELIVERED'))),
    await call(carrierWebhook, webhookRequest(event(other, 'DELIVERED'))),
    await call(carrierWebhook, webhookRequest(event(label.trackingNumber, 'DELIVERED'))), // 409: not shipped
    await call(carrierWebhook, webhookRequest(event(makeTrackingNumber('CP', 99_999_996, 'US'), 'IN_TRANSIT'))), // 404: unknown number
  ].map((r) => r.status);
  recording = false;
  expect(outcomes).toEqual([200, 200, 200, 200, 409, 404]);
  expect(recorded.length).toBeGreaterThan(6);

  const { template } = synth();
  const tableId = logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', 'DataOrderTable');
  const statements = statementsOf(template, 'CarrierWebhook').filter((s) => JSON.stringify(s.Resource).includes(`"${tableId}"`));
  const denied = recorded.filter((a) => !allowed(statements, tableId, a));
  expect(denied).toEqual([]);

  // Nothing beyond the declared prefixes: no product, inventory or another webhook source, no index, no Scan.
  const declared = routes.find((r) => r.name === 'CarrierWebhook')!.tableKeys!;
  expect(statements.every((s) => (s as any).Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toBe(true);
  for (const probe of [
    { action: 'UpdateItem', pk: 'PRODUCT#LAMP' },
    { action: 'PutItem', pk: 'WEBHOOK#stripe#evt_1' },
    { action: 'PutItem', pk: 'AUDIT' },
    { action: 'Query', index: 'gsi1', pk: 'ORDERS' },
    { action: 'Scan', pk: 'ORDER#x' },
  ]) {
    expect({ probe, allowed: allowed(statements, tableId, probe) }).toEqual({ probe, allowed: false });
  }
  // Every declared prefix is really used (no prefix granted "just in case").
  for (const prefix of declared) expect({ prefix, used: recorded.some((a) => a.pk.startsWith(prefix)) }).toEqual({ prefix, used: true });
}, 120_000);
