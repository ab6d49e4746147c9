import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../functions/commons/clients';
import { useIsolatedTables } from '../../support/dynamo';
import { orderStore } from '../../../functions/adapters/order-store';
import { startLocalStepFunctions, type LocalStepFunctions } from '../../../local/stepfunctions';
import { REPO_ROOT } from '../../../local/stack';
import { effectsOf } from '../../../functions/outbox/effects';
import { createPendingOrder, createProduct } from '../orders/fixtures';

/**
 * Compensation that fails is never silent: when releasing stock still fails after its retries, the real ASL
 * flags the order `needsAttention` and the execution fails as CompensationFailed (what the ops alarm
 * watches), while a business outcome (a decline) ends the execution successfully.
 */
useIsolatedTables();
process.env.LOCAL_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'compensation-failure-'));
process.env.ORDER_HOLD_SECONDS = '0';

let releaseBroken = false;
jest.mock('../../../functions/orders/service', () => {
  const actual = jest.requireActual('../../../functions/orders/service');
  return {
    ...actual,
    releaseStock: async (orderId: string) => {
      if (releaseBroken) throw Object.assign(new Error('inventory table unavailable'), { name: 'InternalServerError' });
      return actual.releaseStock(orderId);
    },
  };
});

let sfn: LocalStepFunctions;
beforeAll(async () => {
  sfn = await startLocalStepFunctions({ rootDir: REPO_ROOT, port: 0, definitionFile: path.join(REPO_ROOT, 'statemachines', 'order-fulfillment.asl.json'), retryIntervalMs: 1 });
});
afterAll(() => sfn.stop());

async function runSaga(orderId: string) {
  const { executionArn } = (await (await fetch(sfn.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ stateMachineArn: sfn.stateMachineArn, name: orderId, input: JSON.stringify({ orderId, holdSeconds: 0 }) }),
  })).json()) as { executionArn: string };
  return sfn.waitForExecution(executionArn);
}

async function declinedOrder(sku: string, userId: string) {
  await createProduct(sku, 5);
  const order = await createPendingOrder([{ sku, quantity: 2 }], userId);
  // This order's card declines, so the saga compensates.
  await ddb().send(new UpdateCommand({ TableName: process.env.TABLE_NAME, Key: { pk: `ORDER#${order.id}`, sk: 'ORDER' }, UpdateExpression: 'SET paymentMethodId = :pm', ExpressionAttributeValues: { ':pm': 'pm_card_chargeDeclined' } }));
  return order;
}

it('a release that keeps failing: FAILED order flagged needsAttention, execution CompensationFailed, alarm effect raised', async () => {
  const order = await declinedOrder('COMP-FAIL', 'user-comp');
  const before = await orderStore.get(order.id);
  releaseBroken = true;
  try {
    const execution = await runSaga(order.id);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('CompensationFailed');
  } finally {
    releaseBroken = false;
  }
  const after = (await orderStore.get(order.id))!;
  expect(after.status).toBe('FAILED');
  expect(after.failureReason).toBe('PAYMENT_DECLINED');
  expect(after.needsAttention).toMatchObject({ reason: expect.stringContaining('InternalServerError'), since: expect.any(String) });
  expect(after.timeline.at(-1)).toMatchObject({ actor: 'step:flag-needs-attention' });
  // The stock is still held (the release never happened): that is what the person paged must fix.
  expect(after.stock).toBe('RESERVED');
  // The committed flag is what raises the CompensationFailures metric, through the outbox.
  expect(effectsOf('MODIFY', { ...before, entity: 'ORDER' } as never, { ...after, entity: 'ORDER' } as never)).toContainEqual({ kind: 'needs-attention', orderId: order.id, reason: after.needsAttention!.reason });
});

it('a decline whose compensation works ends the execution successfully, with no flag', async () => {
  const order = await declinedOrder('COMP-OK', 'user-ok');
  const execution = await runSaga(order.id);
  expect(execution.status).toBe('SUCCEEDED');
  const after = (await orderStore.get(order.id))!;
  expect(after).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT_DECLINED', stock: 'RELEASED' });
  expect(after.needsAttention).toBeUndefined();
});
