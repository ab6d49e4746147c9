/**
 * The README's curl walkthrough, pasted into an interactive shell as a new user would: the block between
 * the walkthrough markers is fed on stdin to `bash -i` (history expansion on, as in a terminal) — and to
 * `zsh -i` (CI installs zsh; a run without it says so) — in a directory whose `.data/local.json` points at a
 * local stack.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useLocalStack } from '../support/local-stack';

jest.setTimeout(180_000);

// A short hold (the README's default is 10 s) that still leaves the second order cancellable when the walkthrough gets to it.
const local = useLocalStack({ env: { ORDER_HOLD_SECONDS: '3' } });

function walkthrough(): string {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!block) throw new Error('README has no walkthrough block');
  return block[1];
}

// zsh is not on every machine (.ci/run installs it). Without it the zsh half is never silently dropped:
// CI fails, and elsewhere the run reports it as skipped and says why (docs/decisions.md 2026-12-02).
const zsh = ['/usr/bin/zsh', '/bin/zsh'].some((p) => existsSync(p));
const shells = zsh ? ['bash', 'zsh'] : ['bash'];
if (!zsh) {
  const message = 'zsh is not installed: the README walkthrough was NOT checked in zsh (apt-get install zsh; .ci/run installs it)';
  if (process.env.CI) {
    test('zsh is installed, so the walkthrough is checked in zsh too', () => {
      throw new Error(message);
    });
  } else {
    console.warn(`README walkthrough: ${message}`);
    test.skip(`README walkthrough in interactive zsh (${message})`, () => undefined);
  }
}

describe.each(shells)('README walkthrough in interactive %s', (shell) => {
  let work: string;
  let out: { stdout: string; stderr: string; status: number | null };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const { apiUrl, dashboardUrl, cognito } = local.stack;
    writeFileSync(path.join(local.stack.dataDir, 'local.json'), JSON.stringify({ apiUrl, dashboardUrl, cognito }));
    symlinkSync(local.stack.dataDir, path.join(work, '.data'), 'dir');
    const args = shell === 'bash' ? ['--norc', '--noprofile', '-i'] : ['-f', '-i'];
    // Asynchronously: the stack answers from this very process, so its event loop must keep running.
    out = await new Promise((resolve, reject) => {
      const child = spawn(shell, args, { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: work, TMPDIR: work, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, status });
      });
      child.stdin.end(walkthrough());
    });
  }, 160_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs without shell errors', () => {
    expect(out.stderr).not.toMatch(/event not found|command not found|parse error|syntax error|curl: \(\d+\)/);
  });

  it('places an order, waits for SHIPPED and prints a real tracking number on its own line', () => {
    const lines = out.stdout.split(/\r?\n/);
    const id = lines.find((l) => l.startsWith('order '))?.slice('order '.length);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContain('status SHIPPED');
    const tn = lines.find((l) => l.startsWith('tracking number '))?.slice('tracking number '.length);
    expect(tn).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/);
    expect(lines.some((l) => l.startsWith('{"trackingNumber":"' + tn))).toBe(true);
    expect(lines).toContain('200 text/html; charset=utf-8');
  });

  it('saves the label of the shipped order and its packing slip as PDFs', () => {
    const lines = out.stdout.split(/\r?\n/);
    expect(lines.filter((l) => l === '200 application/pdf')).toHaveLength(2);
    for (const prefix of ['label saved to ', 'packing slip saved to ']) {
      const file = lines.find((l) => l.startsWith(prefix))!.slice(prefix.length);
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    }
  });

  it('searches, exports, reads the overview and cancels the second order', () => {
    const lines = out.stdout.split(/\r?\n/);
    expect(lines).toContain('number,id,placedAt,status,customerName,email,lines,total,currency,captured,refunded');
    expect(lines.some((l) => l.startsWith('{"from":') && l.includes('"ordersPlaced":'))).toBe(true);
    const second = lines.find((l) => l.startsWith('second order '))!.slice('second order '.length);
    const cancelled = JSON.parse(lines.find((l) => l.startsWith('{') && l.includes(`"id":"${second}"`))!);
    expect(cancelled.status).toBe('CANCELLED');
  });
});
