import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { workflowTasks as allTasks, type WorkflowTask } from '../lib/routes';
import { functionArn, lambdaContext, LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-context';
import { LocalStackError } from './processes';
import { localAlarms } from './ops-alarms';

/**
 * A local Step Functions endpoint. Handlers keep using the real @aws-sdk/client-sfn (awsJson1_0 over HTTP,
 * SFN_ENDPOINT pointing here), exactly their AWS code path. Executions run the same ASL file CDK deploys,
 * with aws-local-stepfunctions; every Task state calls the `handler` of the workflow task module the
 * deployed Lambda runs.
 */
export interface LocalStepFunctionsOptions {
  port?: number;
  host?: string;
  /** Repository root: workflow task `entry` paths are relative to it. */
  rootDir: string;
  /** The ASL file, with `${<Task>FunctionArn}` placeholders like CDK's definitionSubstitutions. */
  definitionFile: string;
  stateMachineName?: string;
  tasks?: readonly WorkflowTask[];
  /** Wait state name → milliseconds (tests shorten the hold). */
  waitTimeOverrides?: Record<string, number>;
  /** State name → retry pause in ms (or per retrier). */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Pause of every retrier of every state, in ms, unless retryIntervalOverrides names the state. */
  retryIntervalMs?: number;
  /** JSON lines of execution events (no input/output: those can hold personal data). */
  executionsLog?: string;
  taskTimeoutSeconds?: number;
  /** Wraps every task invocation (the fault-injection suite tags and kills invocations through it). */
  runTask?: <T>(taskName: string, invoke: () => Promise<T>) => Promise<T>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  done: Promise<LocalExecution>;
  abort: () => void;
}

export interface LocalStepFunctions {
  endpoint: string;
  port: number;
  stateMachineArn: string;
  executions: Map<string, LocalExecution>;
  /** Executions still RUNNING (npm start warns about them on Ctrl-C). */
  running(): LocalExecution[];
  /** Resolves when the execution leaves RUNNING. */
  waitForExecution(executionArn: string): Promise<LocalExecution>;
  stop(): Promise<void>;
}

type AslState = Record<string, unknown> & { Type?: string; Resource?: string };
type AslMachine = { States: Record<string, AslState> };

const PLACEHOLDER = /^\$\{(\w+)FunctionArn\}$/;

/** Task state name → workflow task name, for every Task whose Resource is `${<Task>FunctionArn}`, at any depth. */
export function taskStatesOf(definition: AslMachine, known: Set<string>): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (machine: AslMachine | undefined) => {
    for (const [stateName, state] of Object.entries(machine?.States ?? {})) {
      if (state.Type === 'Task') {
        const resource = String(state.Resource ?? '');
        const match = PLACEHOLDER.exec(resource);
        if (!match) throw new LocalStackError(`Task state "${stateName}" has Resource ${resource}; local mode only runs \${<Task>FunctionArn} tasks.`);
        if (!known.has(match[1])) throw new LocalStackError(`Task state "${stateName}" refers to ${match[1]}, which is not in workflowTasks (lib/routes.ts).`);
        found.set(stateName, match[1]);
      }
      for (const branch of (state.Branches as AslMachine[] | undefined) ?? []) visit(branch);
      visit((state.ItemProcessor ?? state.Iterator) as AslMachine | undefined);
    }
  };
  visit(definition);
  return found;
}

/** Like CDK's definitionSubstitutions: `${XFunctionArn}` → a Lambda ARN named X. */
export function substituteFunctionArns(asl: string): string {
  return asl.replace(/\$\{(\w+)FunctionArn\}/g, (_, name: string) => functionArn(name));
}

/** Retry interval overrides for every state that has a Retry field. */
function allRetryStates(definition: AslMachine, ms: number): Record<string, number> {
  const result: Record<string, number> = {};
  const visit = (machine: AslMachine | undefined) => {
    for (const [stateName, state] of Object.entries(machine?.States ?? {})) {
      if (Array.isArray(state.Retry)) result[stateName] = ms;
      for (const branch of (state.Branches as AslMachine[] | undefined) ?? []) visit(branch);
      visit((state.ItemProcessor ?? state.Iterator) as AslMachine | undefined);
    }
  };
  visit(definition);
  return result;
}

/**
 * What Step Functions sees when a Lambda throws: Error = the runtime's errorType (the error's name),
 * Cause = the JSON error payload. aws-local-stepfunctions matches Retry/Catch on `error.name` and reports
 * `error.message` as Cause, so the thrown error is re-shaped into exactly that.
 */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string, trace: string[]) {
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
  }
}

/**
 * The Node.js Lambda runtime reports `errorType: error.name` and nothing else: a subclass that doesn't set
 * `name` is plain "Error" on AWS, so it is here too (a Catch on the class name would never fire in AWS).
 */
function toLambdaError(error: unknown): LambdaFunctionError {
  if (error instanceof Error) return new LambdaFunctionError(error.name || 'Error', error.message, (error.stack ?? '').split('\n'));
  return new LambdaFunctionError('Error', String(error), []);
}

/** The errorMessage of a Lambda error Cause, else the Cause itself (shortened). */
function errorMessageOf(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // not JSON: a Fail state's Cause
  }
  return cause.slice(0, 500);
}

const json10 = 'application/x-amz-json-1.0';

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const epochSeconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const stateMachineName = options.stateMachineName ?? 'OrderFulfillment';
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${stateMachineName}`;
  const tasks = options.tasks ?? allTasks;
  const executions = new Map<string, LocalExecution>();
  if (options.executionsLog) mkdirSync(path.dirname(options.executionsLog), { recursive: true });
  const record = (entry: Record<string, unknown>) => {
    if (options.executionsLog) appendFileSync(options.executionsLog, `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
  };

  // Parsed once at start (a broken ASL fails `npm start` loudly) and the handlers resolved lazily.
  const asl = readFileSync(options.definitionFile, 'utf8');
  const definition = JSON.parse(substituteFunctionArns(asl));
  const taskStates = taskStatesOf(JSON.parse(asl), new Set(tasks.map((t) => t.name)));
  const stateMachine = new StateMachine(definition);

  const loaded = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  const taskHandler = (taskName: string) => {
    let handler = loaded.get(taskName);
    if (!handler) {
      const task = tasks.find((t) => t.name === taskName)!;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(options.rootDir, task.entry)) as { handler?: typeof handler };
      if (typeof mod.handler !== 'function') throw new Error(`${task.entry} does not export a handler`);
      handler = mod.handler;
      loaded.set(taskName, handler);
    }
    return handler;
  };
  const taskResourceLocalHandlers = Object.fromEntries(
    [...taskStates].map(([stateName, taskName]) => [
      stateName,
      async (input: unknown) => {
        // Lambda serialises input and output as JSON; so do we, so nothing non-JSON leaks between states.
        const event = JSON.parse(JSON.stringify(input ?? null));
        let result: unknown;
        try {
          const invoke = () => taskHandler(taskName)(event, lambdaContext(taskName, options.taskTimeoutSeconds));
          result = await (options.runTask ? options.runTask(taskName, invoke) : invoke());
        } catch (error) {
          throw toLambdaError(error);
        }
        return result === undefined ? null : JSON.parse(JSON.stringify(result));
      },
    ]),
  );
  const retryIntervalOverrides = {
    ...(options.retryIntervalMs !== undefined ? allRetryStates(definition, options.retryIntervalMs) : {}),
    ...options.retryIntervalOverrides,
  };

  const startExecution = (body: { stateMachineArn?: string; name?: string; input?: string }) => {
    if (body.stateMachineArn !== stateMachineArn) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
    const name = body.name ?? randomUUID();
    if (!/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = body.input ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new ApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${stateMachineName}:${name}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // Same name and input while running is idempotent on AWS; anything else is a conflict.
      if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
      throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    const startDate = new Date();
    const run = stateMachine.run(input as never, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides: options.waitTimeOverrides, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`, StartTime: startDate.toISOString() },
        StateMachine: { Id: stateMachineArn, Name: stateMachineName },
      },
    });
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn,
      name,
      status: 'RUNNING',
      startDate,
      input: inputText,
      abort: run.abort,
      done: undefined as unknown as Promise<LocalExecution>,
    };
    execution.done = run.result.then(
      (output) => {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output ?? null);
        return execution;
      },
      (failure: Error) => {
        const cause = (failure as { cause?: Error }).cause;
        if (failure.name === 'ExecutionAbortedError') execution.status = 'ABORTED';
        else if (failure.name === 'ExecutionTimeoutError') {
          execution.status = 'TIMED_OUT';
        } else {
          execution.status = 'FAILED';
          execution.error = cause?.name ?? failure.name;
          execution.cause = cause?.message ?? failure.message;
        }
        return execution;
      },
    ).then((finished) => {
      finished.stopDate = new Date();
      record({ event: 'ExecutionStopped', executionArn, status: finished.status, error: finished.error, cause: finished.cause });
      if (finished.status === 'FAILED' || finished.status === 'TIMED_OUT') localAlarms()?.record('ExecutionFaults', 1);
      return finished;
    });
    executions.set(executionArn, execution);
    record({ event: 'ExecutionStarted', executionArn });
    // State-level trail for debugging: names and types only.
    void (async () => {
      for await (const logEvent of run.eventLogs) {
        const e = logEvent as { type: string; state?: { name: string; type: string }; Error?: string; Cause?: unknown };
        if (!e.type.startsWith('State')) continue;
        // The error message (without the stack) is what a developer needs to see why a step failed.
        const cause = typeof e.Cause === 'string' ? errorMessageOf(e.Cause) : undefined;
        record({ event: e.type, executionArn, state: e.state?.name, stateType: e.state?.type, ...(e.Error ? { error: e.Error, cause } : {}) });
      }
    })().catch(() => undefined);
    return execution;
  };

  const describe = (execution: LocalExecution) => ({
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    stopDate: epochSeconds(execution.stopDate),
    input: execution.input,
    output: execution.output,
    error: execution.error,
    cause: execution.cause,
  });

  const find = (executionArn?: string) => {
    const execution = executionArn ? executions.get(executionArn) : undefined;
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      const execution = startExecution(body as { stateMachineArn?: string; name?: string; input?: string });
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },
    DescribeExecution: (body) => describe(find(body.executionArn as string)),
    StopExecution: (body) => {
      const execution = find(body.executionArn as string);
      if (execution.status === 'RUNNING') {
        execution.abort();
        execution.error = body.error as string | undefined;
        execution.cause = body.cause as string | undefined;
      }
      return { stopDate: epochSeconds(new Date()) };
    },
    ListExecutions: (body) => {
      if (body.stateMachineArn !== stateMachineArn) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
      const all = [...executions.values()]
        .filter((e) => !body.statusFilter || e.status === body.statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const offset = body.nextToken ? Number(Buffer.from(String(body.nextToken), 'base64url').toString()) : 0;
      const max = Math.min(Number(body.maxResults) || 100, 1000);
      const page = all.slice(offset, offset + max);
      return {
        executions: page.map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: epochSeconds(e.startDate), stopDate: epochSeconds(e.stopDate) })),
        ...(offset + max < all.length ? { nextToken: Buffer.from(String(offset + max)).toString('base64url') } : {}),
      };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': json10, 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': randomUUID(), ...headers });
        res.end(text);
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.') ? operations[target.slice('AWSStepFunctions.'.length)] : undefined;
      try {
        if (req.method !== 'POST' || !operation) throw new ApiError('UnknownOperationException', `Unsupported operation ${target || '(none)'}`);
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        send(200, operation(body));
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError('InternalFailure', (error as Error).message, 500);
        send(apiError.status, { __type: apiError.type, message: apiError.message }, { 'x-amzn-errortype': apiError.type });
      }
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStackError(`Port ${options.port} for the local Step Functions endpoint is already in use; choose another port with SFN_PORT=<port>.`)
          : error,
      ),
    );
    server.listen(options.port ?? 8083, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://${host}:${port}`,
    port,
    stateMachineArn,
    executions,
    waitForExecution: (executionArn) => find(executionArn).done,
    running: () => [...executions.values()].filter((e) => e.status === 'RUNNING'),
    async stop() {
      // Local mode keeps no durable execution state: running executions end with the process (recorded
      // as ABORTED with this reason; their orders stay where the saga left them).
      for (const execution of executions.values()) {
        if (execution.status !== 'RUNNING') continue;
        execution.error = 'LocalStackStopped';
        execution.cause = 'The local stack was stopped while this execution was running.';
        execution.abort();
      }
      await Promise.all([...executions.values()].map((e) => e.done));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
