import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalAlarmEvaluator, type LocalAlarmLine } from '../../../local/ops-alarms';

let dir: string;
let clock: number;
let evaluator: LocalAlarmEvaluator;
const lines = (): LocalAlarmLine[] =>
  existsSync(evaluator.file) ? readFileSync(evaluator.file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const emf = (name: string, value: number | number[], dims: string[][] = [['service']]) => ({
  _aws: { Timestamp: clock, CloudWatchMetrics: [{ Namespace: 'OrderService', Dimensions: dims, Metrics: [{ Name: name, Unit: 'Count' }] }] },
  service: 'order-service',
  [name]: value,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ops-alarms-'));
  clock = Date.parse('2026-12-01T12:00:00Z');
  evaluator = new LocalAlarmEvaluator(path.join(dir, 'ops', 'alarms.log'), undefined, () => clock);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('local alarm evaluation (the rules CDK deploys)', () => {
  it('a dead-lettered outbox record alarms DeadLetterQueue; a lagging stream alarms on its maximum age, not a sum', () => {
    evaluator.record('OutboxDeadLetters', 1);
    expect(lines().map((l) => l.alarm)).toEqual(['DeadLetterQueue']);
    // Many young batches add up past 5 minutes, but no record is 5 minutes old: no alarm.
    for (let i = 0; i < 400; i++) evaluator.record('OutboxIteratorAge', 1_000);
    expect(lines().map((l) => l.alarm)).toEqual(['DeadLetterQueue']);
    evaluator.record('OutboxIteratorAge', 6 * 60 * 1000);
    expect(lines().map((l) => l.alarm)).toEqual(['DeadLetterQueue', 'StreamConsumerLag']);
  });

  it('one CompensationFailures datapoint alarms at once, written once while it stays in alarm', () => {
    evaluator.recordEmf(emf('CompensationFailures', 1));
    evaluator.recordEmf(emf('CompensationFailures', 1));
    expect(lines()).toEqual([{ at: '2026-12-01T12:00:00.000Z', alarm: 'CompensationFailures', reason: 'CompensationFailures = 1 in the last 300 s (threshold >= 1).' }]);
  });

  it('StepFaults needs 3 within 5 minutes; older datapoints fall out of the window', () => {
    evaluator.recordEmf(emf('StepFaults', 1, [['service'], ['service', 'step']]));
    clock += 200_000;
    evaluator.recordEmf(emf('StepFaults', 1));
    clock += 200_000; // the first is now 400 s old
    evaluator.recordEmf(emf('StepFaults', 1));
    expect(lines()).toEqual([]);
    evaluator.recordEmf(emf('StepFaults', [1, 1]));
    expect(lines().map((l) => [l.alarm, l.reason])).toEqual([['StepFaults', 'StepFaults = 3 in the last 300 s (threshold >= 3).']]);
  });

  it('an alarm that went back under its threshold alarms again on the next breach', () => {
    evaluator.recordEmf(emf('AlertPublishFailures', 1));
    clock += 301_000;
    evaluator.recordEmf(emf('AlertPublishFailures', 0));
    evaluator.recordEmf(emf('AlertPublishFailures', 1));
    expect(lines().map((l) => l.alarm)).toEqual(['AlertPublishFailures', 'AlertPublishFailures']);
  });

  it('API 5xx rate: above 5% only once there are 10 responses', () => {
    for (let i = 0; i < 5; i++) evaluator.record('ApiResponses', 1, { status: 500 });
    expect(lines()).toEqual([]);
    for (let i = 0; i < 5; i++) evaluator.record('ApiResponses', 1, { status: 200 });
    expect(lines().map((l) => [l.alarm, l.reason])).toEqual([['Api5xxRate', '5 of 10 API responses were 5xx (50.0%) in the last 300 s (threshold > 5).']]);
  });

  it('a 4xx is not a fault', () => {
    for (let i = 0; i < 20; i++) evaluator.record('ApiResponses', 1, { status: 404 });
    expect(lines()).toEqual([]);
  });

  it('function faults are per function, named like the deployed alarm', () => {
    evaluator.record('FunctionErrors', 1, { subject: 'PlaceOrder' });
    evaluator.record('FunctionErrors', 1, { subject: 'GetMyOrder' });
    evaluator.record('FunctionErrors', 1, { subject: 'PlaceOrder' });
    expect(lines().map((l) => l.alarm)).toEqual(['FunctionFaults-PlaceOrder', 'FunctionFaults-GetMyOrder']);
  });

  it('a metric no rule watches (business counts, cold starts) never alarms', () => {
    evaluator.recordEmf(emf('OrdersPlaced', 500));
    evaluator.recordEmf(emf('ColdStart', 1, [['service', 'function_name']]));
    expect(lines()).toEqual([]);
  });
});
