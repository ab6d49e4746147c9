/**
 * npm run bench:init — bundle size and module-init time of every Lambda, checked against the budgets of
 * issue #14, in one run:
 *   - functions that render no PDF: ≤ 250 KB of JS and module init ≤ 1.5× the baseline;
 *   - functions that render PDFs (the label step): ≤ 1 MB and ≤ 2.5×.
 * The baseline (bench/baseline-init.ts) is a module that only builds a DynamoDBDocumentClient.
 *
 * Bundles are built by CDK with `bundledFunctionProps` (the settings every service Lambda uses, the same
 * path `cdk synth` takes). Init is `await import(index.mjs)` in a fresh Node process per sample, in a
 * directory where only the AWS SDK resolves (as in the Lambda runtime), with the function's NODE_OPTIONS;
 * samples are interleaved round by round so machine noise hits every function alike. Each sample records
 * the wall time and the CPU time (user + system, all threads) of the import; the budget is checked on the
 * median CPU time of BENCH_INIT_RUNS (default 9, at least 7) samples, because on a shared machine wall time
 * mostly measures the neighbours (identical bundles differ by 40 % in wall time there), while a Lambda
 * init runs on its own CPU share. BENCH_INIT_METRIC=wall checks wall time instead. Exits 1 on any breach.
 *
 *   npm run bench:init                      # all functions
 *   BENCH_INIT_ONLY=Health,PlaceOrder npm run bench:init
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { functionSettings } from '../lib/function-settings';
import { ADDRESS_FORMATTER_PACKAGE, BESIDE_PACKAGES, besideFilesFor, besidePackagesFor, bundledFunctionProps, FONTKIT_PACKAGE, MAIL_COMPOSER_MODULE, STRIPE_PACKAGE } from '../lib/constructs/service-function';
import { PROJECT_ROOT } from '../lib/order-service-stack';
import { backgroundFunctions, routes, workflowTasks } from '../lib/routes';

const RUNS = Math.max(7, Number(process.env.BENCH_INIT_RUNS ?? 9));
const ONLY = process.env.BENCH_INIT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const BASELINE = 'Baseline';
const METRIC: 'cpu' | 'wall' = process.env.BENCH_INIT_METRIC === 'wall' ? 'wall' : 'cpu';

/** Functions that render PDFs (pdf-lib, bwip-js: labels, return labels, packing slips) and get the larger budget. */
export const PDF_RENDERERS = new Set([...routes, ...workflowTasks, ...backgroundFunctions].filter((r) => r.needs?.includes('pdf')).map((r) => r.name));
export const BUDGETS = {
  plain: { bytes: 250 * 1024, ratio: 1.5 },
  pdf: { bytes: 1024 * 1024, ratio: 2.5 },
};

// Init: the import of index.mjs. It reports the files beside the bundle that init loaded (CommonJS modules
// required at init land in the require cache), so "JS KB" is everything init reads, not index.mjs alone.
// Mode "<package>": the same import, then what the first use of a package shipped beside the bundle adds,
// timed on its own: the Stripe SDK loaded and a client built (functions/adapters/payments/stripe-sdk.ts),
// the address formatter loaded and one address formatted (functions/domain/address.ts), the font engine
// loaded and the Latin font beside the bundle parsed (functions/fulfillment/fonts.ts), nodemailer's MIME
// builder loaded and one message built (functions/adapters/mailer.ts).
const PROBE = `
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
const [dir, mode] = process.argv.slice(2);
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(dir + '/index.mjs');
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
if (typeof mod.handler !== 'function') throw new Error('no handler export');
const req = createRequire(dir + '/index.mjs');
const loaded = Object.keys(req.cache).filter((f) => f.startsWith(dir + '/'));
const beside = loaded.reduce((n, f) => n + statSync(f).size, 0);
if (mode !== 'init') {
  const s0 = process.cpuUsage();
  const w0 = performance.now();
  const m = req(mode);
  const lib = m.default ?? m;
  if (mode === 'stripe') new lib('sk_test_bench').paymentIntents;
  else if (mode === '@pdf-lib/fontkit') lib.create(readFileSync(dir + '/fonts/NotoSans-Regular.ttf')).characterSet;
  else if (mode === 'nodemailer/lib/mail-composer') await new lib({ from: 'a@example.com', to: 'b@example.com', subject: 'Ordre bekreftet', text: 't', html: '<p>t</p>' }).compile().build();
  else lib.format({ road: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', countryCode: 'GB' }, { output: 'array' });
  const swall = performance.now() - w0;
  const sc = process.cpuUsage(s0);
  process.stdout.write(JSON.stringify({ wall: swall, cpu: (sc.user + sc.system) / 1000, beside, loaded }));
} else {
  process.stdout.write(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000, beside, loaded }));
}
`;

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The packages each function gets beside its bundle (loaded on first use, not at init). */
const NEEDS = new Map([...routes, ...workflowTasks, ...backgroundFunctions].map((r) => [r.name, r.needs]));
const BESIDE = new Map([...routes, ...workflowTasks, ...backgroundFunctions].map((r) => [r.name, besidePackagesFor(r.needs)]));

function build(work: string): Record<string, string> {
  const all: [string, string][] = [
    [BASELINE, path.join(PROJECT_ROOT, 'bench', 'baseline-init.ts')],
    ...[...routes, ...workflowTasks, ...backgroundFunctions].map((r): [string, string] => [r.name, path.join(PROJECT_ROOT, r.entry)]),
  ];
  const entries = all.filter(([name]) => name === BASELINE || !ONLY || ONLY.includes(name));
  const app = new App({ outdir: path.join(work, 'cdk.out') });
  const stack = new Stack(app, 'InitBench');
  // The same bundling options as ServiceFunction gives each function (the fonts are not JS and not read at
  // init; they are there for the font engine's first-use sample).
  for (const [name, entry] of entries) new NodejsFunction(stack, name, bundledFunctionProps(PROJECT_ROOT, entry, { fonts: PDF_RENDERERS.has(name), beside: BESIDE.get(name) ?? [], files: besideFilesFor(NEEDS.get(name)) }));
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Type: string; Properties: any }> };
  const dirs: Record<string, string> = {};
  for (const [name] of entries) {
    const [, resource] = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.replace(/[0-9A-F]{8}$/, '') === name)!;
    const source = path.join(assembly.directory, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    // As in the Lambda runtime: only the AWS SDK resolves next to the bundle.
    const target = path.join(work, 'task', name);
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(source, target, { recursive: true });
    dirs[name] = target;
  }
  return dirs;
}

interface Sample { wall: number; cpu: number; beside: number; loaded: string[] }

function sample(work: string, dir: string, mode = 'init'): Sample {
  const result = spawnSync(process.execPath, [path.join(work, 'probe.mjs'), dir, mode], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      ...functionSettings.environment,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: 'init-bench',
    },
  });
  if (result.status !== 0) throw new Error(`Loading ${dir} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout) as Sample;
}

function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'order-service-init-'));
  try {
    fs.mkdirSync(path.join(work, 'node_modules'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk'), path.join(work, 'node_modules', '@aws-sdk'), 'dir');
    fs.writeFileSync(path.join(work, 'probe.mjs'), PROBE);
    const t0 = Date.now();
    const dirs = build(work);
    console.log(`Built ${Object.keys(dirs).length} bundles in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${RUNS} init samples each, interleaved.`);

    const names = Object.keys(dirs);
    const samples = new Map<string, Sample[]>(names.map((n) => [n, []]));
    // The first use of each package shipped beside a bundle, per function, sampled in the same rounds.
    const firstUses = names.flatMap((n) => BESIDE_PACKAGES.filter((p) => fs.existsSync(path.join(dirs[n]!, 'node_modules', p))).map((p) => ({ name: n, pkg: p, samples: [] as Sample[] })));
    for (const n of names) sample(work, dirs[n]!); // warm the file cache
    for (let round = 0; round < RUNS; round++) {
      // Baseline at both ends of each round, everything else shuffled in between.
      const order = [...names.filter((n) => n !== BASELINE)].sort(() => Math.random() - 0.5);
      for (const n of [BASELINE, ...order, BASELINE]) samples.get(n)!.push(sample(work, dirs[n]!));
      for (const use of firstUses) use.samples.push(sample(work, dirs[use.name]!, use.pkg));
    }

    const med = (name: string, metric: 'wall' | 'cpu') => median(samples.get(name)!.map((s) => s[metric]));
    const baseline = med(BASELINE, METRIC);
    const baselineOther = med(BASELINE, METRIC === 'cpu' ? 'wall' : 'cpu');
    const rows = names
      .filter((n) => n !== BASELINE)
      .map((name) => {
        // Everything init reads: the bundle and whatever it required from beside it at init.
        const bytes = fs.statSync(path.join(dirs[name]!, 'index.mjs')).size + Math.max(...samples.get(name)!.map((s) => s.beside));
        const ms = med(name, METRIC);
        const otherRatio = med(name, METRIC === 'cpu' ? 'wall' : 'cpu') / baselineOther;
        const budget = PDF_RENDERERS.has(name) ? BUDGETS.pdf : BUDGETS.plain;
        const breaches = [
          ...(bytes > budget.bytes ? [`size ${(bytes / 1024).toFixed(0)} KB > ${budget.bytes / 1024} KB`] : []),
          ...(ms / baseline > budget.ratio ? [`init ${(ms / baseline).toFixed(2)}× > ${budget.ratio}×`] : []),
        ];
        return { name, bytes, ms, ratio: ms / baseline, otherRatio, pdf: PDF_RENDERERS.has(name), breaches };
      })
      .sort((a, b) => b.ratio - a.ratio);

    const baselineBytes = fs.statSync(path.join(dirs[BASELINE]!, 'index.mjs')).size;
    const other = METRIC === 'cpu' ? 'wall' : 'cpu';
    console.log(`\nbaseline (DynamoDBDocumentClient only): ${(baselineBytes / 1024).toFixed(1)} KB, init median ${baseline.toFixed(1)} ms ${METRIC} (${baselineOther.toFixed(1)} ms ${other})\n`);
    console.log(`function                 kind    JS KB  ${METRIC.padStart(4)} ms   × base  (${other} ×)  budget        result`);
    for (const r of rows) {
      const budget = r.pdf ? BUDGETS.pdf : BUDGETS.plain;
      console.log(
        `${r.name.padEnd(24)} ${(r.pdf ? 'pdf' : 'plain').padEnd(6)} ${(r.bytes / 1024).toFixed(1).padStart(6)} ${r.ms.toFixed(1).padStart(8)} ${r.ratio.toFixed(2).padStart(7)}  ${`(${r.otherRatio.toFixed(2)})`.padStart(8)}  ${`${budget.bytes / 1024} KB ${budget.ratio}×`.padEnd(13)} ${r.breaches.length ? `BREACH: ${r.breaches.join(', ')}` : 'ok'}`,
      );
    }
    for (const pkg of BESIDE_PACKAGES) {
      const uses = firstUses.filter((u) => u.pkg === pkg);
      if (!uses.length) continue;
      const what = { [STRIPE_PACKAGE]: 'load + new Stripe()', [ADDRESS_FORMATTER_PACKAGE]: 'load + format one address', [FONTKIT_PACKAGE]: 'load + parse the Latin font', [MAIL_COMPOSER_MODULE]: 'load + build one message' }[pkg];
      console.log(`\nFirst use of ${pkg} (beside the bundle, loaded on first use; not part of init above): ${what}, median ${METRIC}`);
      for (const use of uses) {
        const ms = median(use.samples.map((s) => s[METRIC]));
        const kb = fs.statSync(path.join(dirs[use.name]!, 'node_modules', pkg, 'index.js')).size / 1024;
        const init = rows.find((r) => r.name === use.name)!;
        console.log(`${use.name.padEnd(26)} +${kb.toFixed(1)} KB  +${ms.toFixed(1)} ms (${(ms / baseline).toFixed(2)}× base; init + first use ${((init.ms + ms) / baseline).toFixed(2)}×)`);
      }
    }
    const sizes = rows.map((r) => r.bytes / 1024).sort((a, b) => a - b);
    console.log(`\nJS size: ${sizes[0]!.toFixed(0)}–${sizes.at(-1)!.toFixed(0)} KB (median ${median(sizes).toFixed(0)} KB); init ratio ${rows.at(-1)!.ratio.toFixed(2)}–${rows[0]!.ratio.toFixed(2)}×`);
    const breached = rows.filter((r) => r.breaches.length);
    if (breached.length) {
      console.error(`\n${breached.length} function(s) over budget: ${breached.map((r) => r.name).join(', ')}`);
      process.exitCode = 1;
    } else {
      console.log('\nAll functions within budget.');
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
