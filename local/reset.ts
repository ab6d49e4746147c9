/** `npm run reset`: wipes local mode's data (DynamoDB, cognito-local users, outbox, alerts, labels, logs). */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

const dataDir = path.resolve(process.env.LOCAL_DATA_DIR || path.join(REPO_ROOT, '.data'));
if (existsSync(dataDir)) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`Removed ${dataDir}. The next npm start creates fresh tables, users and demo products.`);
} else {
  console.log(`Nothing to reset: ${dataDir} does not exist.`);
}
