import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn } from '../../local/cognito';
import { startLocalStack, type LocalStackOptions, type RunningLocalStack } from '../../local/stack';
import type { LocalExecution } from '../../local/stepfunctions';
import { dropTables, testDynamoDbEndpoint, uniquePrefix } from './dynamo';

export type DemoUser = 'admin' | 'customer';
const emails: Record<DemoUser, string> = { admin: 'admin@example.com', customer: 'customer@example.com' };

export interface LocalStackHandle {
  /** Available once beforeAll has run. */
  readonly stack: RunningLocalStack;
  /** A real cognito-local access token (InitiateAuth USER_PASSWORD_AUTH), cached per user. */
  token(user: DemoUser): Promise<string>;
  /** fetch against the gateway: path like '/products'; `as` signs the request in as a demo user. */
  api(pathAndQuery: string, init?: RequestInit & { as?: DemoUser; token?: string }): Promise<Response>;
  /** Waits for the workflow execution named `name` (the order id) to finish, however it ends. */
  waitForExecution(name: string, timeoutMs?: number): Promise<LocalExecution>;
}

/**
 * Boots the whole local stack in this jest worker for one e2e test file: free ports, a temp data dir,
 * tables under a unique prefix in the run's shared DynamoDB Local, its own cognito-local. Stopped in afterAll.
 */
export function useLocalStack(options: Omit<LocalStackOptions, 'ports' | 'dataDir' | 'dynamoDbEndpoint'> = {}): LocalStackHandle {
  let stack: RunningLocalStack | undefined;
  let dataDir: string | undefined;
  const tablePrefix = uniquePrefix('e2e');
  const tokens = new Map<DemoUser, Promise<string>>();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'order-service-e2e-'));
    stack = await startLocalStack({
      dataDir,
      ports: { api: 0, cognito: 0, stepFunctions: 0 },
      dynamoDbEndpoint: testDynamoDbEndpoint(),
      tablePrefix,
      // Short backoffs: retries exercise the same paths without the waiting.
      retryIntervalMs: 10,
      ...options,
      env: { ORDER_HOLD_SECONDS: '0', POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.env },
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    // Left behind, every file's stream-enabled tables slowed every later write in the run (see dropTables).
    await dropTables(testDynamoDbEndpoint(), tablePrefix);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const handle: LocalStackHandle = {
    get stack() {
      if (!stack) throw new Error('The local stack is not running (use it inside tests, after beforeAll).');
      return stack;
    },
    token(user) {
      let token = tokens.get(user);
      if (!token) {
        token = signIn(handle.stack.cognito, emails[user]).then((t) => t.accessToken);
        tokens.set(user, token);
      }
      return token;
    },
    async api(pathAndQuery, init = {}) {
      const { as, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token ?? (as ? await handle.token(as) : undefined);
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${handle.stack.apiUrl}${pathAndQuery}`, { ...rest, headers });
    },
    async waitForExecution(name, timeoutMs = 30_000) {
      const { stepFunctions, stateMachineArn } = handle.stack;
      const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const deadline = Date.now() + timeoutMs;
      // The execution may not be registered yet when the API call that starts it has only just returned.
      while (!stepFunctions.executions.has(executionArn)) {
        if (Date.now() > deadline) throw new Error(`No workflow execution named ${name} was started`);
        await new Promise((r) => setTimeout(r, 20));
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          stepFunctions.waitForExecution(executionArn),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`Execution ${name} still running after ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return handle;
}
