import { readFileSync } from 'node:fs';
import path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
import { workflowTasks } from '../../../lib/routes';

/** The ASL file CDK deploys and local mode runs: valid, and every failure path compensates and ends. */
const raw = readFileSync(path.join(__dirname, '../../../statemachines/order-fulfillment.asl.json'), 'utf8');
// What CDK's definitionSubstitutions do: each ${XFunctionArn} becomes that task Lambda's ARN.
const definition = JSON.parse(raw.replace(/\$\{(\w+)FunctionArn\}/g, (_, name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`));
type State = {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Choices?: { Next: string }[];
  Default?: string;
};
const states = definition.States as Record<string, State>;
/** The ship step runs inside the Map over shipments. */
const shipMap = states.ShipShipments as State & { ItemsPath: string; MaxConcurrency: number; ItemProcessor: { StartAt: string; States: Record<string, State> } };
const shipOrder = shipMap.ItemProcessor.States.ShipOrder!;

it('is valid Amazon States Language', () => {
  const { isValid, errorsText } = aslValidator(definition);
  expect(errorsText('\n')).toBe('');
  expect(isValid).toBe(true);
});

it('uses only task Lambdas that exist in lib/routes.ts', () => {
  const used = [...raw.matchAll(/\$\{(\w+)FunctionArn\}/g)].map((m) => m[1]);
  const known = new Set(workflowTasks.map((t) => t.name));
  expect(used.filter((name) => !known.has(name!))).toEqual([]);
});

const successors = (name: string): string[] => {
  const state = states[name]!;
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Catch ?? []).map((c) => c.Next),
    ...(state.Choices ?? []).map((c) => c.Next),
    ...(state.Default ? [state.Default] : []),
  ];
};

function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...successors(name));
  }
  return seen;
}

it('has no unreachable states', () => {
  expect(Object.keys(states).filter((name) => !reachable(definition.StartAt).has(name))).toEqual([]);
});

it('catches every error of the forward steps and routes it into compensation', () => {
  for (const name of ['ReserveStock', 'AuthorizePayment', 'CreateLabel', 'ShipShipments']) {
    const catches = states[name]!.Catch ?? [];
    expect(catches.some((c) => c.ErrorEquals.includes('States.ALL'))).toBe(true);
    // From any catch, the path reaches a stock release and a payment void before it ends.
    for (const c of catches) {
      const after = reachable(c.Next);
      expect([...after].some((s) => states[s]!.Resource?.endsWith(':ReleaseStock'))).toBe(true);
      expect([...after].some((s) => states[s]!.Resource?.endsWith(':VoidPayment'))).toBe(true);
    }
  }
});

it('ends failures in FailOrder (terminal FAILED) and cancellations after compensating', () => {
  for (const reason of ['OutOfStock', 'PaymentDeclined', 'PaymentError', 'FulfillmentError']) {
    expect(reachable(reason).has('FailOrder')).toBe(true);
  }
  expect(states.OrderFailed!.Type).toBe('Fail');
  // The cancel branch closes any order that is not actually cancelled, so none is left open.
  expect(reachable('ReleaseStockAfterCancel').has('CloseOrderAfterCancel')).toBe(true);
  expect(states.CloseOrderAfterCancel!.Resource).toMatch(/:FailOrder$/);
  expect(states.Cancelled!.Type).toBe('Succeed');
});

it('ends business outcomes successfully and fails only on faults; a failed compensation flags the order first', () => {
  // Out of stock and declined cards end in a Succeed state; provider and fulfillment faults in a Fail state.
  expect(states.OrderClosed!.Type).toBe('Succeed');
  const kind = states.FailureKind as unknown as { Choices: { Variable?: string; Or?: { StringEquals: string }[]; Next: string }[]; Default: string };
  const business = kind.Choices.find((c) => c.Or)!;
  expect(business.Or!.map((o) => o.StringEquals).sort()).toEqual(['OUT_OF_STOCK', 'PAYMENT_DECLINED']);
  expect(business.Next).toBe('OrderClosed');
  expect(kind.Default).toBe('OrderFailed');
  // Every path that records a compensation error reaches FlagNeedsAttention, then CompensationFailed.
  expect(kind.Choices[0]).toMatchObject({ Variable: '$.compensationError', Next: 'FlagNeedsAttention' });
  expect((states.CancelOutcome as unknown as { Choices: { Next: string }[] }).Choices[0]!.Next).toBe('FlagNeedsAttention');
  for (const name of ['ReleaseStockAfterFailure', 'VoidPaymentAfterFailure', 'ReleaseStockAfterCancel', 'VoidPaymentAfterCancel', 'FailOrder', 'CloseOrderAfterCancel']) {
    expect(reachable(states[name]!.Catch![0]!.Next).has('FlagNeedsAttention')).toBe(true);
  }
  expect(states.FlagNeedsAttention!.Resource).toMatch(/:FlagNeedsAttention$/);
  expect(successors('FlagNeedsAttention')).toEqual(['CompensationFailed', 'CompensationFailed']);
  expect(states.CompensationFailed!.Type).toBe('Fail');
});

it('sends no email from the workflow: customer emails follow committed status changes through the outbox', () => {
  expect(Object.values(states).filter((s) => s.Resource?.includes('Notify'))).toEqual([]);
});

it('retries every transient error of the reservation, and a capture for minutes', () => {
  const retry = states.ReserveStock!.Retry!;
  expect(retry[0]).toMatchObject({ ErrorEquals: ['OutOfStock', 'OrderNotActive'], MaxAttempts: 0 });
  expect(retry[1]!.ErrorEquals).toEqual(['States.ALL']);
  const capture = shipOrder.Retry!.find((r) => r.ErrorEquals.includes('PaymentUnavailable')) as unknown as { IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds: number };
  // 5 + 10 + 20 + 40 + 80 + 120 + 120 + 120 s of backoff: about ten minutes of provider outage.
  let total = 0;
  for (let i = 0, wait = capture.IntervalSeconds; i < capture.MaxAttempts; i++, wait *= capture.BackoffRate) total += Math.min(wait, capture.MaxDelaySeconds);
  expect(total).toBeGreaterThanOrEqual(300);
});

it('holds paid orders for the cancellation window before labelling', () => {
  const path: string[] = [];
  // The main path: Next, or a Choice's Default (the 3-D Secure poll loop branches off it).
  for (let name: string | undefined = definition.StartAt; name; name = states[name]!.Next ?? states[name]!.Default) path.push(name);
  expect(path.indexOf('HoldForCancellation')).toBeGreaterThan(path.indexOf('AuthorizePayment'));
  expect(path.indexOf('HoldForCancellation')).toBeLessThan(path.indexOf('CreateLabel'));
  expect(states.HoldForCancellation).toMatchObject({ Type: 'Wait', SecondsPath: '$.holdSeconds' });
});

it('ships each shipment through a Map, one at a time, and never compensates a partly shipped order', () => {
  expect(states.CreateLabel!.Next).toBe('ShipShipments');
  expect(shipMap).toMatchObject({ Type: 'Map', ItemsPath: '$.labelled.shipmentIds', MaxConcurrency: 1 });
  expect(shipMap.ItemProcessor.StartAt).toBe('ShipOrder');
  expect(shipOrder.Resource).toMatch(/:ShipOrder$/);
  expect(shipOrder.End).toBe(true);
  // A fault after retries goes through ShipmentFault: partly shipped ends flagged (no release, no refund).
  const fault = shipMap.Catch!.find((c) => c.ErrorEquals.includes('States.ALL'))!;
  expect(fault.Next).toBe('ShipmentFault');
  const choice = states.PartlyShipped as unknown as { Choices: { Variable: string; BooleanEquals: boolean; Next: string }[]; Default: string };
  expect(choice.Choices[0]).toMatchObject({ Variable: '$.shipmentFault.partlyShipped', BooleanEquals: true, Next: 'ShipmentFailedAfterShipping' });
  expect(states.ShipmentFailedAfterShipping!.Type).toBe('Fail');
  expect(choice.Default).toBe('FulfillmentError');
});

it('polls a 3-D Secure wait in a loop of three states that rejoins the main path at the hold', () => {
  expect(states.AuthorizePayment).toMatchObject({ Next: 'PaymentActionNeeded' });
  const choice = states.PaymentActionNeeded as State & { Choices: { Variable: string; StringEquals: string; Next: string }[] };
  expect(choice.Choices).toEqual([{ Variable: '$.authorization.status', StringEquals: 'PAYMENT_ACTION_REQUIRED', Next: 'WaitForPaymentAction' }]);
  expect(choice.Default).toBe('HoldForCancellation');
  expect(states.WaitForPaymentAction).toMatchObject({ Type: 'Wait', SecondsPath: '$.authorization.pollSeconds', Next: 'CheckPaymentAction' });
  expect(states.CheckPaymentAction).toMatchObject({ Type: 'Task', Next: 'PaymentActionNeeded' });
  // Declined (refused or timed out) and cancelled go to the same compensations as the charge step.
  const catches = Object.fromEntries((states.CheckPaymentAction!.Catch ?? []).map((c) => [c.ErrorEquals.join(','), c.Next]));
  expect(catches).toMatchObject({ OrderNotActive: 'ReleaseStockAfterCancel', PaymentDeclined: 'PaymentDeclined', 'States.ALL': 'PaymentError' });
});
