import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getSecret } from './secrets';
import { config } from './config';

/** How long a warm Lambda reuses the key before asking Secrets Manager again. */
const SECRET_CACHE_SECONDS = 300;
const MIN_KEY_BYTES = 32;

let fromSecretsManager: Buffer | undefined;
const localKeys = new Map<string, Buffer>();
let ephemeral: Buffer | undefined;

/**
 * Loads the cursor signing key from Secrets Manager (CURSOR_SECRET_ARN, a plain string secret, cached by
 * Powertools). The api() wrapper awaits this before every list handler, so the synchronous
 * encodeCursor/decodeCursor below always find it. Without an ARN it does nothing.
 */
export async function loadCursorKey(): Promise<void> {
  const arn = config.cursorSecretArn();
  if (!arn) {
    // On Lambda a client-facing list needs the shared key (route need 'cursors' in lib/routes.ts).
    if (process.env.AWS_LAMBDA_FUNCTION_NAME && !config.cursorSecret()) throw new Error('No cursor key configured for this list route (CURSOR_SECRET_ARN)');
    return;
  }
  const value = await getSecret(arn, { maxAge: SECRET_CACHE_SECONDS });
  if (typeof value !== 'string' || Buffer.byteLength(value) < MIN_KEY_BYTES) {
    throw new Error('The cursor signing secret is missing, not a string or shorter than 32 bytes');
  }
  fromSecretsManager = Buffer.from(value, 'utf8');
}

/** A key file under the local data dir, created once (0600) and kept, so cursors survive a restart of npm start. */
function localKeyFile(dataDir: string): Buffer {
  const file = join(dataDir, 'secrets', 'cursor.key');
  const cached = localKeys.get(file);
  if (cached) return cached;
  mkdirSync(dirname(file), { recursive: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(MIN_KEY_BYTES).toString('base64url'));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (key.length < MIN_KEY_BYTES) throw new Error(`The cursor key in ${file} is shorter than 32 bytes; delete it to have a new one generated`);
  localKeys.set(file, key);
  return key;
}

/**
 * The HMAC key for list cursors, in this order: Secrets Manager (AWS, loaded by loadCursorKey), the
 * CURSOR_SECRET environment variable, a generated key file under LOCAL_DATA_DIR (local mode), and otherwise
 * a random key for the life of the process (internal paging within one invocation, unit tests).
 */
export function cursorKey(): Buffer {
  if (config.cursorSecretArn()) {
    if (!fromSecretsManager) throw new Error('The cursor key was not loaded (loadCursorKey) before use');
    return fromSecretsManager;
  }
  const fromEnv = config.cursorSecret();
  if (fromEnv) {
    if (Buffer.byteLength(fromEnv) < MIN_KEY_BYTES) throw new Error('CURSOR_SECRET must be at least 32 bytes');
    return Buffer.from(fromEnv, 'utf8');
  }
  const dataDir = config.localDataDir();
  if (dataDir) return localKeyFile(dataDir);
  // A random key for the life of this process: enough for code that pages through a list itself within one
  // invocation (the reconciler) and for unit tests. API list routes never get here on AWS: api() refuses to
  // serve a paged route without CURSOR_SECRET_ARN (its cursors would not survive another Lambda instance).
  return (ephemeral ??= randomBytes(MIN_KEY_BYTES));
}
