/**
 * `npm start`: the whole Order Service on this machine, no AWS account, no internet.
 * Ports: PORT (API + dashboard, 3000), DYNAMODB_PORT (8000), COGNITO_PORT (9229), SFN_PORT (8083).
 * Data: LOCAL_DATA_DIR (default .data/), kept across restarts; `npm run reset` wipes it.
 * DYNAMODB_ENDPOINT: use a DynamoDB endpoint that is already running (your own DynamoDB Local, a proxy or a
 * throttling model in front of one) instead of starting DynamoDB Local; the tables are created there if missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS } from './cognito';
import { externalDynamoDbEndpoint } from './dynamodb';
import { LocalStackError } from './processes';
import { hasDashboardBuild, REPO_ROOT, startLocalStack, type RunningLocalStack } from './stack';


function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new LocalStackError(`${name}=${raw} is not a valid port number (0-65535).`);
  }
  return value;
}

async function main() {
  const dataDir = path.resolve(process.env.LOCAL_DATA_DIR || path.join(REPO_ROOT, '.data'));
  const quiet = process.env.LOCAL_QUIET === '1';
  let stack: RunningLocalStack | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // Second Ctrl-C: don't wait. The children's watchdogs still reap DynamoDB Local and cognito-local.
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    const interrupted = stack?.stepFunctions.running() ?? [];
    if (interrupted.length) {
      console.log(`${interrupted.length} workflow execution(s) still running are abandoned (see executions.log): ${interrupted.map((e) => e.name).join(', ')}`);
    }
    await stack?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  const dynamoDbEndpoint = externalDynamoDbEndpoint(process.env.DYNAMODB_ENDPOINT);
  stack = await startLocalStack({
    dataDir,
    persistDynamoDb: true,
    ...(dynamoDbEndpoint ? { dynamoDbEndpoint } : {}),
    ports: {
      api: port('PORT', 3000),
      dynamodb: port('DYNAMODB_PORT', 8000),
      cognito: port('COGNITO_PORT', 9229),
      stepFunctions: port('SFN_PORT', 8083),
    },
    log: quiet ? undefined : (line) => console.log(`[api] ${line}`),
  });
  if (stopping) return;

  const localJson = { apiUrl: stack.apiUrl, dashboardUrl: stack.dashboardUrl, cognito: stack.cognito };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'local.json'), `${JSON.stringify(localJson, null, 2)}\n`);
  const rel = (p: string) => path.relative(process.cwd(), path.join(dataDir, p)) || '.';
  // performance.now() counts from this Node process's start, so module loading is included.
  const seconds = (performance.now() / 1000).toFixed(1);

  console.log(`
Order Service is running locally (ready in ${seconds} s; ${Object.entries(stack.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}).

  API          ${stack.apiUrl}            e.g. curl ${stack.apiUrl}/products
  Dashboard    ${stack.dashboardUrl}${hasDashboardBuild() ? '' : '   (not built yet: npm run build:dashboard)'}
  Cognito      ${stack.cognito.endpoint}  pool ${stack.cognito.userPoolId}, app client ${stack.cognito.clientId}
  DynamoDB     ${stack.dynamoDbEndpoint}  tables ${stack.tableNames.main}, ${stack.tableNames.idempotency}
  Workflow     ${process.env.SFN_ENDPOINT}  ${stack.stateMachineArn}

Demo logins (local only), password ${DEMO_PASSWORD}:
${DEMO_USERS.map((u) => `  ${u.email.padEnd(22)} ${u.groups.length ? `group ${u.groups.join(', ')}` : 'customer'}`).join('\n')}

Get a token:  aws cognito-idp initiate-auth --endpoint-url ${stack.cognito.endpoint} --region ${stack.cognito.region} \\
                --client-id ${stack.cognito.clientId} --auth-flow USER_PASSWORD_AUTH \\
                --auth-parameters USERNAME=admin@example.com,PASSWORD='${DEMO_PASSWORD}'

Where things land:
  emails       ${rel('outbox')}/
  alerts       ${rel('alerts')}/
  labels       ${rel('labels')}/
  workflow     ${rel('executions.log')}
  connection   ${rel('local.json')}
${stack.seeded ? `Seeded ${stack.seeded} demo products.` : 'Catalogue kept from the last run (npm run reset starts over).'}${repairs(stack.repairedAtStart)}
Ctrl-C stops everything.
`);
}

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) console.error(`\n${error.message}\n`);
  else console.error(error);
  process.exit(1);
});

function repairs(report: { repairs: Record<string, number | undefined> }): string {
  const done = Object.entries(report.repairs).filter(([, n]) => n);
  return done.length ? `\nReconciler at start: ${done.map(([kind, n]) => `${n} ${kind}`).join(', ')} (what the last run left unfinished).` : '';
}
