import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { startLocalStepFunctions, substituteFunctionArns, taskStatesOf, type LocalStepFunctions } from '../../local/stepfunctions';
import { calls } from '../support/fixtures/workflow-tasks';

/**
 * The local Step Functions endpoint, driven through the real @aws-sdk/client-sfn like the handlers do.
 * The point that matters most: a handler error's `name` is the Step Functions error, as on AWS (Lambda's
 * errorType), so Retry/Catch on ["OutOfStock"] behave locally as deployed.
 */
const rootDir = path.resolve(__dirname, '../..');
const fixtures = 'test/support/fixtures';
let sfn: LocalStepFunctions;
let client: SFNClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sfn-test-'));
  sfn = await startLocalStepFunctions({
    rootDir,
    port: 0,
    definitionFile: path.join(rootDir, fixtures, 'test-workflow.asl.json'),
    stateMachineName: 'TestFlow',
    tasks: [
      { name: 'Reserve', entry: `${fixtures}/task-reserve.ts` },
      { name: 'Finish', entry: `${fixtures}/task-finish.ts` },
      { name: 'Compensate', entry: `${fixtures}/task-compensate.ts` },
    ],
    retryIntervalMs: 10,
    executionsLog: path.join(dataDir, 'executions.log'),
  });
  client = new SFNClient({ endpoint: sfn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(input: Record<string, unknown>, name?: string): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name, input: JSON.stringify(input) }));
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const callsFor = (orderId: string) => calls.filter((c) => (c.input as { orderId: string }).orderId === orderId);

test('a successful execution runs every task handler with a Lambda context and JSON-serialised results', async () => {
  const result = await run({ orderId: 'o-ok', mode: 'ok', holdSeconds: 0 }, 'o-ok');
  expect(result.status).toBe('SUCCEEDED');
  expect(result.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:TestFlow:o-ok');
  expect(result.startDate).toBeInstanceOf(Date);
  expect(result.stopDate!.getTime()).toBeGreaterThanOrEqual(result.startDate!.getTime());
  const output = JSON.parse(result.output!);
  expect(output.reserved).toEqual({ ok: true, attempt: 1, at: '1970-01-01T00:00:00.000Z' });
  expect(output.finished).toEqual([{ done: 'o-ok' }]); // Task inside a Parallel branch is overridden too
  expect(callsFor('o-ok').map((c) => c.task)).toEqual(['Reserve', 'Finish']);
  expect(callsFor('o-ok')[0].functionName).toBe('order-service-Reserve');
  expect(callsFor('o-ok')[0].remainingMs).toBeGreaterThan(1000);
});

test('an error named OutOfStock is caught by Catch ["OutOfStock"] with an AWS-shaped Error and Cause', async () => {
  const result = await run({ orderId: 'o-oos', mode: 'outOfStock', holdSeconds: 0 });
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('OrderFailed');
  expect(result.cause).toBe('Out of stock');
  const compensate = callsFor('o-oos').find((c) => c.task === 'Compensate')!;
  const caught = (compensate.input as { error: { Error: string; Cause: string } }).error;
  expect(caught.Error).toBe('OutOfStock');
  // On AWS the Cause of a Lambda error is the runtime's JSON error payload.
  expect(JSON.parse(caught.Cause)).toEqual(
    expect.objectContaining({ errorType: 'OutOfStock', errorMessage: 'SKU LAMP-DESK has 0 available for order o-oos', trace: expect.any(Array) }),
  );
});

test('Retry on a named error retries (backoff shortened by retryIntervalMs) and then succeeds', async () => {
  const started = Date.now();
  const result = await run({ orderId: 'o-flaky', mode: 'flakyOnce', holdSeconds: 0 });
  expect(result.status).toBe('SUCCEEDED');
  expect(JSON.parse(result.output!).reserved.attempt).toBe(2);
  expect(Date.now() - started).toBeLessThan(10_000); // IntervalSeconds is 30 in the ASL
});

test('an uncaught handler error fails the execution with the error name and the Lambda error payload', async () => {
  const result = await run({ orderId: 'o-crash', mode: 'crash', holdSeconds: 0 });
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Error');
  expect(JSON.parse(result.cause!)).toMatchObject({ errorType: 'Error', errorMessage: 'boom' });
});

test('an Error subclass without a name is "Error" like on AWS, so a Catch on its class name would not fire', async () => {
  const result = await run({ orderId: 'o-unnamed', mode: 'unnamed', holdSeconds: 0 });
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Error');
});

test('the Wait state holds for SecondsPath; StopExecution aborts a running execution', async () => {
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, input: JSON.stringify({ orderId: 'o-hold', mode: 'ok', holdSeconds: 30 }) }),
  );
  await new Promise((r) => setTimeout(r, 300));
  expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  expect(callsFor('o-hold').map((c) => c.task)).toEqual(['Reserve']);
  await client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'customer cancelled' }));
  await sfn.waitForExecution(executionArn!);
  const stopped = await client.send(new DescribeExecutionCommand({ executionArn }));
  expect(stopped.status).toBe('ABORTED');
  expect(callsFor('o-hold').map((c) => c.task)).toEqual(['Reserve']);
});

test('StartExecution with a used name: same input is idempotent while running, otherwise ExecutionAlreadyExists', async () => {
  const input = JSON.stringify({ orderId: 'o-dupe', mode: 'ok', holdSeconds: 30 });
  const first = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: 'o-dupe', input }));
  const again = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: 'o-dupe', input }));
  expect(again.executionArn).toBe(first.executionArn);
  await expect(
    client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn, name: 'o-dupe', input: '{"orderId":"other","holdSeconds":0}' })),
  ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
  await expect(
    client.send(new StartExecutionCommand({ stateMachineArn: `${sfn.stateMachineArn}Nope`, input })),
  ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
});

test('ListExecutions filters by status; executions.log keeps a JSON-lines trail without inputs', async () => {
  const failed = await client.send(new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn, statusFilter: 'FAILED' }));
  expect(failed.executions!.length).toBeGreaterThanOrEqual(3);
  expect(failed.executions!.every((e) => e.status === 'FAILED')).toBe(true);
  const lines = readFileSync(path.join(dataDir, 'executions.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'ExecutionStopped', status: 'SUCCEEDED' })]));
  expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'StateEntered', state: 'Hold', stateType: 'Wait' })]));
  expect(JSON.stringify(lines)).not.toContain('holdSeconds');
});

describe('ASL handling', () => {
  test('function ARN placeholders are substituted like CDK definitionSubstitutions', () => {
    expect(substituteFunctionArns('{"Resource":"${ShipOrderFunctionArn}"}')).toBe('{"Resource":"arn:aws:lambda:us-east-1:000000000000:function:ShipOrder"}');
  });

  test('a Task that names no known workflow task fails loudly at start', () => {
    const asl = { States: { A: { Type: 'Task', Resource: '${GhostFunctionArn}', End: true } } };
    expect(() => taskStatesOf(asl, new Set(['Real']))).toThrow(/Ghost.*not in workflowTasks/);
  });

  test("the lead's real ASL maps every Task state to a workflow task in lib/routes.ts", () => {
    const { workflowTasks } = jest.requireActual('../../lib/routes') as typeof import('../../lib/routes');
    const asl = JSON.parse(readFileSync(path.join(rootDir, 'statemachines/order-fulfillment.asl.json'), 'utf8'));
    const mapping = taskStatesOf(asl, new Set(workflowTasks.map((t) => t.name)));
    expect(mapping.size).toBeGreaterThan(0);
  });
});
