/** `npm run reset`: wipes local mode's data (DynamoDB, cognito-local users, outbox, alerts, labels, logs). */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.LOCAL_DATA_DIR || path.join(REPO_ROOT, '.data'));

/** Wiping the files under a running DynamoDB Local would leave it serving data that is gone on restart. */
async function stackIsRunning(): Promise<string | undefined> {
  try {
    const { apiUrl } = JSON.parse(readFileSync(path.join(dataDir, 'local.json'), 'utf8')) as { apiUrl?: string };
    if (!apiUrl) return undefined;
    const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok ? apiUrl : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  if (!existsSync(dataDir)) {
    console.log(`Nothing to reset: ${dataDir} does not exist.`);
    return;
  }
  const running = await stackIsRunning();
  if (running) {
    console.error(`The local stack is still running at ${running}: stop it (Ctrl-C) before npm run reset.`);
    process.exit(1);
  }
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`Removed ${dataDir}. The next npm start creates fresh tables, users and demo products.`);
}

void main();
