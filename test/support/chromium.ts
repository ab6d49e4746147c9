import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export interface ChromiumBinary {
  executablePath: string;
  /** Where it came from, for the test log: the system package or the npm one. */
  source: 'system' | '@sparticuz/chromium';
}

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` (default /usr/bin/chromium) when that file exists,
 * otherwise the headless build shipped inside the npm package @sparticuz/chromium, which its
 * `executablePath()` unpacks to the OS temp dir on first use (~1.5 s; later calls reuse it). So `npm ci &&
 * npm test` needs no system browser. The package is ESM-only and reads `import.meta.url`, which jest's CJS
 * transform cannot run, so it is asked from a child Node process.
 */
export async function resolveChromium(): Promise<ChromiumBinary> {
  const configured = process.env.CHROMIUM_PATH ?? SYSTEM_CHROMIUM;
  if (existsSync(configured)) return { executablePath: configured, source: 'system' };
  const script = "import chromium from '@sparticuz/chromium'; process.stdout.write(await chromium.executablePath());";
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    timeout: 60_000,
  });
  const executablePath = stdout.trim();
  if (!existsSync(executablePath)) throw new Error(`@sparticuz/chromium returned ${executablePath}, which does not exist`);
  return { executablePath, source: '@sparticuz/chromium' };
}
