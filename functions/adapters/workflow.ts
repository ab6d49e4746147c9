import { StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { sfnClient } from '../commons/clients';
import { config } from '../commons/config';

export interface WorkflowInput {
  orderId: string;
  /** The cancellation window of SPEC.md, read by the Wait state through SecondsPath. */
  holdSeconds: number;
}

/**
 * Starts the order's fulfilment execution. The execution name is the order id, so a retried start can
 * never run the saga twice for one order (Step Functions rejects a second execution of the same name).
 */
export async function startOrderWorkflow(input: WorkflowInput): Promise<string | undefined> {
  try {
    const out = await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn: config.stateMachineArn(), name: input.orderId, input: JSON.stringify(input) }),
    );
    return out.executionArn;
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return undefined;
    throw error;
  }
}
