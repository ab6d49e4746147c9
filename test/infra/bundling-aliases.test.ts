/**
 * The bundling aliases (lib/function-settings.ts): ES modules' `node:http` is required through
 * lib/bundling/node-http.cjs (test/infra/bundle.test.ts checks no built bundle imports it as an ES module),
 * and the bundles resolve `semver` to its `gte` module alone (lib/bundling/semver-gte.cjs, the esbuild alias in
 * lib/function-settings.ts). That holds only while every bundled package that requires semver calls
 * nothing else of it: checked here over the import graph of every function (one esbuild pass, project and
 * packages, the AWS SDK external as in the bundles).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { functionSettings, NODE_HTTP_SHIM, SEMVER_SUBSET } from '../../lib/function-settings';
import { PROJECT_ROOT } from '../../lib/order-service-stack';
import { backgroundFunctions, routes, workflowTasks } from '../../lib/routes';

const entries = [...new Set([...routes, ...workflowTasks, ...backgroundFunctions].map((r) => path.join(PROJECT_ROOT, r.entry)))];
const { metafile } = buildSync({
  entryPoints: entries, bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', outdir: 'out',
  mainFields: ['module', 'main'], external: [...functionSettings.bundling.externalModules, 'stripe', '@fragaria/address-formatter', '@pdf-lib/fontkit'],
  alias: { semver: `./${SEMVER_SUBSET}`, 'node:http': `./${NODE_HTTP_SHIM}` }, absWorkingDir: PROJECT_ROOT, logLevel: 'silent',
});

it('the esbuild alias the functions are built with names the subset module', () => {
  expect(functionSettings.bundling.esbuildArgs).toEqual({ '--alias': [`semver=./${SEMVER_SUBSET}`, `node:http=./${NODE_HTTP_SHIM}`] });
  expect(Object.keys(metafile!.inputs)).toContain(SEMVER_SUBSET);
  expect(Object.keys(metafile!.inputs)).not.toContain('node_modules/semver/index.js');
});

it('every bundled package that requires semver calls only what the subset exports', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = Object.keys(require(path.join(PROJECT_ROOT, SEMVER_SUBSET)) as object);
  const importers = Object.entries(metafile!.inputs).filter(([, input]) => input.imports.some((i) => i.original === 'semver'));
  expect(importers.length).toBeGreaterThan(0);
  const calls = importers.flatMap(([file]) => {
    const source = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    const names = [...source.matchAll(/(\w+)\s*=\s*require\(\s*['"]semver['"]\s*\)/g)].map((m) => m[1]!);
    expect({ file, bound: names.length > 0 }).toEqual({ file, bound: true });
    return names.flatMap((name) => [...source.matchAll(new RegExp(`\\b${name}\\.(\\w+)`, 'g'))].map((m) => `${file}: ${m[1]}`));
  });
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => !exported.includes(c.split(': ')[1]!))).toEqual([]);
});
