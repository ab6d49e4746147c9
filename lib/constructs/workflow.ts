import * as fs from 'node:fs';
import { Annotations, Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowProps {
  /** The ASL file, the same one local mode runs with aws-local-stepfunctions. */
  readonly definitionFile: string;
  /** Task name (lib/routes.ts `workflowTasks`) → its Lambda. The ASL refers to `${<name>FunctionArn}`. */
  readonly tasks: ReadonlyMap<string, IFunction>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** `${Name}` placeholders of an ASL document (definition substitutions), in order of first use. */
export function aslPlaceholders(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))];
}

/** The order fulfillment workflow: a STANDARD state machine from the shared ASL file. */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly substitutions: Record<string, string>;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    if (!fs.existsSync(props.definitionFile)) {
      throw new Error(`State machine definition not found: ${props.definitionFile}. The workflow is deployed from this file; write it (or restore it) before synth.`);
    }
    const asl = fs.readFileSync(props.definitionFile, 'utf8');
    try {
      JSON.parse(asl);
    } catch (e) {
      throw new Error(`${props.definitionFile} is not valid JSON: ${(e as Error).message}`);
    }

    this.substitutions = {};
    for (const [name, fn] of props.tasks) this.substitutions[`${name}FunctionArn`] = fn.functionArn;

    // An unknown placeholder would reach Step Functions as a literal "${...}" and fail at run time.
    const used = aslPlaceholders(asl);
    const unknown = used.filter((p) => !(p in this.substitutions));
    if (unknown.length) {
      throw new Error(`${props.definitionFile} uses \${${unknown.join('}, ${')}} but lib/routes.ts workflowTasks provides only ${Object.keys(this.substitutions).join(', ')}.`);
    }
    for (const key of Object.keys(this.substitutions)) {
      if (!used.includes(key)) Annotations.of(this).addWarningV2('order-service:unused-task', `Workflow task Lambda ${key} is not referenced by the ASL file.`);
    }

    // Standard (not Express): an order's run includes a cancellation hold of minutes and must run each
    // charge/ship step exactly once, with its history kept for audits.
    this.stateMachine = new StateMachine(this, 'OrderFulfillment', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(props.definitionFile),
      definitionSubstitutions: this.substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          // The vended-logs prefix keeps CloudWatch's account-wide resource policy small; the stack's UUID
          // keeps the name unique, so a retained group never blocks re-creating the stack.
          logGroupName: `/aws/vendedlogs/states/order-fulfillment-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
          retention: props.logRetention,
          removalPolicy: props.removalPolicy,
        }),
        level: LogLevel.ALL,
        // Execution data holds customer names and addresses: log state transitions, not payloads.
        includeExecutionData: false,
      },
    });
    // The ASL invokes the unqualified ARNs, so the role needs exactly those (fn.grantInvoke would add
    // every version and alias, ARN:*).
    this.stateMachine.addToRolePolicy(new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [...props.tasks.values()].map((fn) => fn.functionArn),
    }));
  }
}
