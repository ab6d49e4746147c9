/**
 * The import graph is the architecture: dependency-cruiser with .dependency-cruiser.cjs over the code
 * (no cycles, a pure domain, adapters that call no use cases, no runtime imports of lib/, stores under
 * adapters/). The second test proves each rule bites, on a small tree that breaks every one of them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

function cruise(cwd: string, dirs: string[]): Violation[] {
  const result = spawnSync(process.execPath, [DEPCRUISE, ...dirs, '--config', CONFIG, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (!result.stdout) throw new Error(`depcruise failed (exit ${result.status}): ${result.stderr}`);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('import rules (dependency-cruiser)', () => {
  it('functions, local and lib break none of them', () => {
    const violations = cruise(ROOT, ['functions', 'local', 'lib']).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
  });

  it('reports each rule on a tree that breaks it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-service-depcruise-'));
    try {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const files: Record<string, string> = {
        'functions/domain/rules.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { config } from '../commons/config';\nexport const x = [DynamoDBClient, config];\n",
        'functions/commons/config.ts': 'export const config = {};\n',
        'functions/orders/service.ts': "import { store } from '../adapters/order-store';\nexport const placeOrder = () => store;\n",
        'functions/adapters/order-store.ts': "import { placeOrder } from '../orders/service';\nexport const store = { placeOrder };\n",
        'functions/adapters/gateway-impl.ts': "import type { Port } from '../payments/gateway';\nimport { PortError } from '../payments/gateway';\nexport const impl: Port = { PortError };\n",
        'functions/payments/gateway.ts': 'export class PortError extends Error {}\nexport interface Port { PortError: typeof PortError }\n',
        'functions/payments/payment-store.ts': 'export const paymentStore = {};\n',
        'functions/api/handler.ts': "import { paymentStore } from '../payments/payment-store';\nimport { routes } from '../../lib/routes';\nimport type { Route } from '../../lib/types';\nexport const h = [paymentStore, routes] as unknown as Route[];\n",
        'lib/routes.ts': 'export const routes = [];\n',
        'lib/types.ts': 'export interface Route { name: string }\n',
      };
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      }
      const found = cruise(dir, ['functions', 'lib']).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^domain-no-sdk: functions\/domain\/rules\.ts → .*node_modules\/@aws-sdk\/client-dynamodb\//),
          'domain-only-domain: functions/domain/rules.ts → functions/commons/config.ts',
          expect.stringMatching(/^no-circular: functions\/(adapters\/order-store|orders\/service)\.ts → /),
          'adapters-no-use-cases: functions/adapters/order-store.ts → functions/orders/service.ts',
          'stores-in-adapters: functions/api/handler.ts → functions/payments/payment-store.ts',
          'runtime-no-lib: functions/api/handler.ts → lib/routes.ts',
        ]),
      );
      // Allowed: an adapter implementing a port (value and type imports), a type-only import of lib/.
      expect(found.filter((v) => v.includes('gateway-impl') || v.includes('lib/types'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
