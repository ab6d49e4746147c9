import { sfnClient, sfnSdk } from './step-functions-client';
import { config } from '../commons/config';

export interface WorkflowInput {
  orderId: string;
  /** The cancellation window of SPEC.md, read by the Wait state through SecondsPath. */
  holdSeconds: number;
}

/**
 * The first execution of an order is named by the order id, so a repeated start (a redelivered stream
 * record, a reconciler racing the outbox) can never run the saga twice: Step Functions refuses a second
 * execution of one name. A later run (the reconciler resuming an order whose execution ended or vanished)
 * is `<order id>-r<n>`, claimed on the order first, so it too starts once.
 */
export const executionName = (orderId: string, run = 1) => (run > 1 ? `${orderId}-r${run}` : orderId);

const executionArn = (name: string) => `${config.stateMachineArn().replace(':stateMachine:', ':execution:')}:${name}`;

/** Starts the run; false when an execution of that name exists already (it started before). */
export async function startOrderWorkflow(input: WorkflowInput, run = 1): Promise<boolean> {
  const [client, { ExecutionAlreadyExists, StartExecutionCommand }] = await Promise.all([sfnClient(), sfnSdk()]);
  try {
    await client.send(
      new StartExecutionCommand({ stateMachineArn: config.stateMachineArn(), name: executionName(input.orderId, run), input: JSON.stringify(input) }),
    );
    return true;
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return false;
    throw error;
  }
}

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE' | 'MISSING';

export async function describeOrderRun(orderId: string, run = 1): Promise<RunStatus> {
  const [client, { DescribeExecutionCommand, ExecutionDoesNotExist }] = await Promise.all([sfnClient(), sfnSdk()]);
  try {
    const out = await client.send(new DescribeExecutionCommand({ executionArn: executionArn(executionName(orderId, run)) }));
    return (out.status ?? 'MISSING') as RunStatus;
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return 'MISSING';
    throw error;
  }
}
