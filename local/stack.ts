import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { mainTable, idempotencyTable } from '../lib/tables';
import { startCognitoLocal, type LocalCognito } from './cognito';
import { assertJava17, createTables, DEFAULT_TABLE_PREFIX, startDynamoDbLocal, tableName, type LocalDynamoDb } from './dynamodb';
import { applyLocalEnv } from './env';
import { startGateway, type LocalGateway } from './gateway';
import { createAccessTokenVerifier } from './jwt';
import { reservePort } from './processes';
import { startLocalStepFunctions, type LocalStepFunctions } from './stepfunctions';
import { startStreamPoller, type StreamPoller } from './stream-poller';
import { localAlarms } from './ops-alarms';
import { lambdaContext } from './lambda-context';
import type { ReconcileReport } from '../functions/reconciler/repairs';
import type { SweepReport } from '../functions/webhooks/dispatcher';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface LocalStackOptions {
  rootDir?: string;
  /** Everything local mode writes: dynamodb/, cognito/, outbox/, alerts/, labels/, executions.log. */
  dataDir?: string;
  /** 0 = any free port (tests). Defaults: api 3000, DynamoDB 8000, cognito 9229, Step Functions 8083. */
  ports?: { api?: number; dynamodb?: number; cognito?: number; stepFunctions?: number };
  /** Keep DynamoDB data on disk under dataDir/dynamodb (npm start) or in memory (tests). */
  persistDynamoDb?: boolean;
  /** Use an already running DynamoDB Local (jest's global one) instead of starting another; pair with a unique tablePrefix. */
  dynamoDbEndpoint?: string;
  tablePrefix?: string;
  seed?: boolean;
  definitionFile?: string;
  dashboardDir?: string;
  /** Extra environment for the handlers (e.g. ORDER_HOLD_SECONDS: '0'). */
  env?: Record<string, string>;
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number | number[]>;
  retryIntervalMs?: number;
  /** Per-request log lines from the gateway. */
  log?: (line: string) => void;
  /** How often the reconciler runs after its run at start (default 30 s; 0: only when `reconcile()` is called). */
  reconcileIntervalMs?: number;
  /** How often the outbox poller reads the stream when idle (default 100 ms). */
  outboxIntervalMs?: number;
  /** How often the webhook dispatcher sweeps due deliveries (default 1 s; 0: only when `dispatchWebhooks()` is called). */
  webhookSweepIntervalMs?: number;
  /** Called with each batch the outbox consumer is invoked with (its record count): what the bench counts. */
  onOutboxBatch?: (records: number) => void;
}

export interface RunningLocalStack {
  apiUrl: string;
  dashboardUrl: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
  dynamoDbEndpoint: string;
  tableNames: { main: string; idempotency: string };
  stateMachineArn: string;
  stepFunctions: LocalStepFunctions;
  dataDir: string;
  seeded: number;
  /** Milliseconds since start at the end of each phase. */
  timings: Record<string, number>;
  /** The outbox: the change stream read into the consumer, as the event source mapping does on AWS. */
  outbox: StreamPoller;
  /** Runs the reconciler now (it also runs at start and every reconcileIntervalMs). */
  reconcile(event?: { staleSeconds?: number }): Promise<ReconcileReport>;
  /** What the reconciler repaired at start (e.g. workflows the last run left unfinished). */
  repairedAtStart: ReconcileReport;
  /** Runs one webhook sweep now (it also runs every webhookSweepIntervalMs, as the schedule does on AWS). */
  dispatchWebhooks(): Promise<SweepReport>;
  stop(): Promise<void>;
}

/**
 * Boots the whole service on this machine: DynamoDB Local and cognito-local as child processes (in
 * parallel), the Step Functions endpoint and the API gateway in this process, tables and demo data.
 * On any failure everything already started is stopped again.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const rootDir = options.rootDir ?? REPO_ROOT;
  const dataDir = path.resolve(options.dataDir ?? path.join(rootDir, '.data'));
  const ports = options.ports ?? {};
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  mkdirSync(dataDir, { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const pending = stoppers.splice(0).reverse();
    for (const stop of pending) await stop().catch(() => undefined);
  };

  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (phase: string) => {
    timings[phase] = Date.now() - t0;
  };
  try {
    // Prerequisites first, so a missing Java or a busy port is the one message printed, within a second.
    if (!options.dynamoDbEndpoint) await assertJava17();
    if (ports.api !== 0) await reservePort(ports.api ?? 3000, '127.0.0.1', 'the API gateway', 'PORT');
    if (ports.stepFunctions !== 0) await reservePort(ports.stepFunctions ?? 8083, '127.0.0.1', 'the local Step Functions endpoint', 'SFN_PORT');
    const [dynamo, cognito] = await Promise.allSettled([
      options.dynamoDbEndpoint
        ? Promise.resolve<LocalDynamoDb>({ endpoint: options.dynamoDbEndpoint, port: Number(new URL(options.dynamoDbEndpoint).port), stop: async () => undefined })
        : startDynamoDbLocal({ port: ports.dynamodb ?? 8000, ...(options.persistDynamoDb ? { dataDir: path.join(dataDir, 'dynamodb') } : {}) }),
      startCognitoLocal({ port: ports.cognito ?? 9229, dataDir: path.join(dataDir, 'cognito') }),
    ]);
    if (dynamo.status === 'fulfilled') stoppers.push(() => dynamo.value.stop());
    if (cognito.status === 'fulfilled') stoppers.push(() => cognito.value.stop());
    if (dynamo.status === 'rejected') throw dynamo.reason;
    if (cognito.status === 'rejected') throw cognito.reason;
    const ddb: LocalDynamoDb = dynamo.value;
    const pool: LocalCognito = cognito.value;
    mark('dynamodb+cognito');

    await createTables(ddb.endpoint, prefix);
    mark('tables');

    const stepFunctions = await startLocalStepFunctions({
      rootDir,
      port: ports.stepFunctions ?? 8083,
      definitionFile: options.definitionFile ?? path.join(rootDir, 'statemachines', 'order-fulfillment.asl.json'),
      executionsLog: path.join(dataDir, 'executions.log'),
      waitTimeOverrides: options.waitTimeOverrides,
      retryIntervalOverrides: options.retryIntervalOverrides,
      retryIntervalMs: options.retryIntervalMs,
    });
    stoppers.push(() => stepFunctions.stop());

    // The gateway port decides apiUrl, which handlers read (TRACKING_BASE_URL): listen first, then set env.
    let publicConfig: unknown = {};
    const verifier = await createAccessTokenVerifier(pool);
    const gateway: LocalGateway = await startGateway({
      rootDir,
      port: ports.api ?? 3000,
      verifier,
      dashboardDir: options.dashboardDir,
      publicConfig: () => publicConfig,
      log: options.log,
    });
    stoppers.push(() => gateway.stop());
    mark('workflow+gateway');

    const tableNames = { main: tableName(mainTable, prefix), idempotency: tableName(idempotencyTable, prefix) };
    applyLocalEnv(
      {
        tableName: tableNames.main,
        idempotencyTableName: tableNames.idempotency,
        dynamoDbEndpoint: ddb.endpoint,
        stepFunctionsEndpoint: stepFunctions.endpoint,
        stateMachineArn: stepFunctions.stateMachineArn,
        dataDir,
        apiUrl: gateway.url,
        cognitoEndpoint: pool.endpoint,
      },
      options.env,
    );

    let seeded = 0;
    if (options.seed ?? true) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { seedCatalogue } = require('./seed') as typeof import('./seed');
      seeded = (await seedCatalogue()).seeded;
    }
    mark('seed');

    // The outbox consumer and the reconciler: the same handlers that run as Lambdas on AWS, fed by the same
    // kinds of trigger (the table's change stream, a schedule). Loaded after the environment is set.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const consumer = require('../functions/stream/outbox-consumer') as typeof import('../functions/stream/outbox-consumer');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reconciler = require('../functions/reconciler/handler') as typeof import('../functions/reconciler/handler');
    const outbox = await startStreamPoller({
      endpoint: ddb.endpoint,
      tableName: tableNames.main,
      handler: (event, context) => {
        options.onOutboxBatch?.(event.Records.length);
        return consumer.handler(event, context);
      },
      checkpointFile: options.persistDynamoDb ? path.join(dataDir, 'outbox', 'stream-checkpoint.json') : undefined,
      deadLetterFile: path.join(dataDir, 'outbox', 'dead-letters.log'),
      intervalMs: options.outboxIntervalMs,
      onError: (error) => console.error('[outbox] consumer failed:', (error as Error).message),
      onIteratorAge: (ms) => localAlarms()?.record('OutboxIteratorAge', ms),
      onDeadLetter: () => localAlarms()?.record('OutboxDeadLetters', 1),
    });
    stoppers.push(() => outbox.stop());
    const reconcile = (event: { staleSeconds?: number } = {}) => reconciler.handler(event, lambdaContext('Reconciler', 60)) as Promise<ReconcileReport>;
    const repairedAtStart = await reconcile({ staleSeconds: 0 });
    const every = options.reconcileIntervalMs ?? 30_000;
    if (every > 0) {
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        running ??= reconcile()
          .catch((error) => console.error('[reconciler] failed:', (error as Error).message))
          .finally(() => (running = undefined));
      }, every);
      stoppers.push(async () => {
        clearInterval(timer);
        await running;
      });
    }

    // The webhook dispatcher: the Lambda EventBridge Scheduler runs every minute on AWS (sweeping for a minute),
    // here one sweep every second, through the same handler.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dispatcher = require('../functions/webhooks/handler') as typeof import('../functions/webhooks/handler');
    const dispatchWebhooks = () => dispatcher.handler({ once: true }, lambdaContext('WebhookDispatcher', 90)) as Promise<SweepReport>;
    const sweepEvery = options.webhookSweepIntervalMs ?? 1000;
    if (sweepEvery > 0) {
      let sweeping: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        sweeping ??= dispatchWebhooks()
          .catch((error) => console.error('[webhooks] dispatcher failed:', (error as Error).message))
          .finally(() => (sweeping = undefined));
      }, sweepEvery);
      stoppers.push(async () => {
        clearInterval(timer);
        await sweeping;
      });
    }

    const cognitoInfo = { endpoint: pool.endpoint, region: pool.region, userPoolId: pool.userPoolId, clientId: pool.clientId };
    publicConfig = { apiUrl: gateway.url, cognito: cognitoInfo };
    return {
      apiUrl: gateway.url,
      dashboardUrl: `${gateway.url}/`,
      cognito: cognitoInfo,
      dynamoDbEndpoint: ddb.endpoint,
      tableNames,
      stateMachineArn: stepFunctions.stateMachineArn,
      stepFunctions,
      dataDir,
      seeded,
      timings,
      outbox,
      reconcile,
      repairedAtStart,
      dispatchWebhooks,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export const hasDashboardBuild = (rootDir = REPO_ROOT) => existsSync(path.join(rootDir, 'dashboard', 'dist', 'index.html'));
