import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Thrown for problems a person can fix (missing Java, busy port): start.ts prints only the message. */
export class LocalStackError extends Error {
  override name = 'LocalStackError';
}

/** Port 0 → a free port chosen by the OS (tests); any other port must be free or we say which one is busy. */
export async function reservePort(port: number, host: string, what: string, envVar?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        const hint = envVar ? `; stop whatever uses it or choose another port with ${envVar}=<port>` : '';
        reject(new LocalStackError(`Port ${port} for ${what} is already in use${hint}.`));
      } else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      const chosen = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(chosen));
    });
  });
}

/**
 * If this Node process dies without running its cleanup (SIGKILL, a crashed jest worker), a child would be
 * orphaned. A tiny shell loop outlives us for at most a second and then kills the child. It is cheap and
 * detached into its own process group so a terminal Ctrl-C doesn't kill it before it has done its job.
 */
export function killWithParent(child: ChildProcess): () => void {
  if (!child.pid) return () => undefined;
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; if kill -0 ${child.pid} 2>/dev/null; then kill ${child.pid}; sleep 3; kill -9 ${child.pid} 2>/dev/null; fi; exit 0`;
  const watchdog = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
  // Best effort: without a shell the normal stop() still cleans up.
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return () => {
    try {
      if (watchdog.pid) process.kill(-watchdog.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Poll `probe` until it resolves truthy or the deadline passes; rejects with the last error seen. */
export async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number, intervalMs = 100, alive?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = alive?.();
    if (dead) throw new LocalStackError(`${what} exited before it was ready: ${dead}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new LocalStackError(`${what} was not ready within ${timeoutMs / 1000} s${lastError ? ` (${(lastError as Error).message})` : ''}.`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Keeps the last lines a child printed, to explain a failed start. */
export function tailOutput(child: ChildProcess, maxLines = 20): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - maxLines));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}
