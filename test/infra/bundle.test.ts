/**
 * The esbuild settings of lib/function-settings.ts, proven by running them: CDK bundles real handlers with
 * the settings every service Lambda uses, and the output is loaded by Node 22 in a directory where, as in
 * the Lambda runtime, only the AWS SDK can be resolved. Everything else (middy, Powertools, zod, pdf-lib,
 * bwip-js) must be inside the bundle.
 * Also checks that the `aws:cdk:bundling-stacks: []` shortcut used by the other infra tests skips esbuild.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ADDRESS_FORMATTER_PACKAGE, BESIDE_PACKAGES, besideFilesFor, besidePackagesFor, bundledFunctionProps, FONTKIT_PACKAGE } from '../../lib/constructs/service-function';
import { PROJECT_ROOT } from '../../lib/order-service-stack';
import { routes, workflowTasks } from '../../lib/routes';
import { tempOutdir } from './support';
import { FONT_FILES } from '../../functions/fulfillment/font-files';
import { inspectPdf } from '../unit/fulfillment/support/barcode';
import { useIsolatedTables } from '../support/dynamo';

const tables = useIsolatedTables();

const entryOf = (name: string) => {
  const entry = [...routes, ...workflowTasks].find((r) => r.name === name)?.entry;
  if (!entry) throw new Error(`No route or task named ${name}`);
  return path.join(PROJECT_ROOT, entry);
};

/** The asset directory CDK produced for each function of the stack, by function construct id. */
function assetDirs(app: App, stack: Stack, names: string[]): Record<string, string> {
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Type: string; Properties: any }> };
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const [, fn] = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(name))!;
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    dirs[name] = path.join(assembly.directory, `asset.${hash}`);
  }
  return dirs;
}

const PROBE = `
const [dir, mode] = process.argv.slice(2);
const mod = await import(dir + '/index.mjs');
if (mode === 'label') {
  const { createRequire } = await import('node:module');
  const req = createRequire(dir + '/index.mjs');
  const fontkitLoaded = () => Object.keys(req.cache).filter((f) => f.includes('/node_modules/@pdf-lib/fontkit/')).map((f) => f.slice(dir.length));
  const atInit = fontkitLoaded();
  const pdf = await mod.renderLabelPdf(JSON.parse(process.argv[4]));
  console.log(JSON.stringify({ pdf: Buffer.from(pdf).toString('base64'), fontkitAtInit: atInit, fontkitAfterRender: fontkitLoaded() }));
  process.exit(0);
}
if (typeof mod.handler !== 'function') throw new Error('no handler export');
if (mode === 'load') { console.log(JSON.stringify({ loaded: true })); process.exit(0); }
if (mode === 'stripe') {
  const { createRequire } = await import('node:module');
  const req = createRequire(dir + '/index.mjs');
  const atInit = Object.keys(req.cache).filter((f) => f.includes('/node_modules/stripe/'));
  const m = req('stripe');
  const Stripe = m.default ?? m;
  const client = new Stripe('sk_test_bundle');
  console.log(JSON.stringify({ atInit, from: req.resolve('stripe').slice(dir.length), paymentIntents: typeof client.paymentIntents.create, webhooks: typeof client.webhooks.constructEvent }));
  process.exit(0);
}
const event = {
  version: '2.0', routeKey: mode, rawPath: mode.split(' ')[1], rawQueryString: '',
  headers: { host: 'api.example.com', 'content-type': 'application/json' },
  requestContext: { accountId: '123456789012', apiId: 'api', domainName: 'api.example.com', domainPrefix: 'api',
    http: { method: mode.split(' ')[0], path: mode.split(' ')[1], protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bundle-test' },
    requestId: 'r-1', routeKey: mode, stage: '$default', time: '26/Nov/2026:06:00:00 +0000', timeEpoch: 0 },
  body: mode.startsWith('POST') ? '{}' : undefined, isBase64Encoded: false,
};
const context = { functionName: 'probe', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:probe', logGroupName: 'g', logStreamName: 's',
  getRemainingTimeInMillis: () => 10000, callbackWaitsForEmptyEventLoop: true };
const result = await mod.handler(event, context);
console.log(JSON.stringify(result));
`;

describe('Lambda bundles (real esbuild, real settings)', () => {
  let work: string;
  let dirs: Record<string, string>;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'order-service-bundle-'));
    // The Lambda runtime stand-in: the SDK (like /var/runtime/node_modules) and nothing else.
    fs.mkdirSync(path.join(work, 'node_modules'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk'), path.join(work, 'node_modules', '@aws-sdk'), 'dir');
    fs.writeFileSync(path.join(work, 'probe.mjs'), PROBE);

    const app = new App({ outdir: path.join(work, 'cdk.out') }); // bundling on, as in `cdk synth`
    const stack = new Stack(app, 'BundleProbe');
    const names = ['Health', 'PlaceOrder', 'CreateLabel', 'AuthorizePayment', 'GetOpenApi'];
    const withFonts = new Set(routes.concat().filter((r) => r.needs?.includes('pdf')).map((r) => r.name).concat(workflowTasks.filter((t) => t.needs?.includes('pdf')).map((t) => t.name)));
    const needsOf = (name: string) => [...routes, ...workflowTasks].find((r) => r.name === name)?.needs;
    for (const name of names) new NodejsFunction(stack, name, bundledFunctionProps(PROJECT_ROOT, entryOf(name), { fonts: withFonts.has(name), beside: besidePackagesFor(needsOf(name)), files: besideFilesFor(needsOf(name)) }));
    // The label renderer alone (its exports kept by the ESM bundle), to render a label from a bundle.
    new NodejsFunction(stack, 'LabelModule', bundledFunctionProps(PROJECT_ROOT, path.join(PROJECT_ROOT, 'functions/fulfillment/label.ts'), { fonts: true, beside: [FONTKIT_PACKAGE] }));
    dirs = assetDirs(app, stack, [...names, 'LabelModule']);
  }, 180_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const run = (name: string, mode: string, env: Record<string, string> = {}, arg?: string) => {
    // Copy the bundle next to the runtime stand-in: only `work/node_modules` is resolvable from there.
    const target = path.join(work, 'task', name);
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(dirs[name], target, { recursive: true });
    const result = spawnSync(process.execPath, ['--enable-source-maps', path.join(work, 'probe.mjs'), target, mode, ...(arg ? [arg] : [])], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
      // LAMBDA_TASK_ROOT is where Lambda unpacks the bundle: the fonts are found beside it.
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_SERVICE_NAME: 'order-service', LAMBDA_TASK_ROOT: target, ...env },
    });
    if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
    const lines = result.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]);
  };

  it('emits minified ESM with a source map, a require() shim, and imports only the AWS SDK and Node built-ins', () => {
    for (const [name, dir] of Object.entries(dirs)) {
      const fonts = name === 'CreateLabel' || name === 'LabelModule' ? ['fonts'] : [];
      const beside = ['AuthorizePayment', 'CreateLabel', 'LabelModule'].includes(name) ? ['node_modules'] : [];
      const files = name === 'GetOpenApi' ? ['openapi.json'] : [];
      expect(fs.readdirSync(dir).sort()).toEqual([...fonts, 'index.mjs', 'index.mjs.map', ...beside, ...files]);
      const code = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __createRequire } from 'node:module'")).toBe(true);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      // minified: long lines (the address templates keep some newlines inside template strings)
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      // Static imports (`import{a as b}from"x"`, `import*as c from"x"`, `import"x"`) and CommonJS requires.
      const staticImports = [...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+?from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
      // (Not after a space or quote: fontkit's bundled iconv-lite mentions "require('iconv-lite')" in error texts.)
      const requires = [...code.matchAll(/(?<![\s"'`])\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
      const imported = new Set([...staticImports, ...requires]);
      expect(staticImports.length).toBeGreaterThan(0);
      // The exceptions are the packages shipped beside the bundle (loaded on first use), and only there.
      const besideFiles: string[] = BESIDE_PACKAGES.filter((p) => fs.existsSync(path.join(dir, 'node_modules', p, 'index.js')));
      const external = [...imported].filter((m) => !m.startsWith('@aws-sdk/') && !m.startsWith('node:') && !builtinModules.includes(m) && !besideFiles.includes(m));
      expect({ name, external }).toEqual({ name, external: [] });
      expect(code).toMatch(/@aws-sdk\/|node:/);
    }
  });

  it('loads no AWS SDK client at init but the DynamoDB one (Cognito, Secrets Manager and the rest load on first use), and no node:http facade', () => {
    for (const name of ['Health', 'PlaceOrder', 'AuthorizePayment', 'CreateLabel']) {
      const code = fs.readFileSync(path.join(dirs[name], 'index.mjs'), 'utf8');
      const atInit = new Set([...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+?from\s*)?["'](@aws-sdk\/[^"']+)["']/g)].map((m) => m[1]));
      expect({ name, atInit: [...atInit].sort() }).toEqual({ name, atInit: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'] });
      // node:http only by require (lib/bundling/node-http.cjs): its ES module facade would load undici at init.
      expect({ name, esmHttp: /(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+?from\s*)?["']node:http["']/.test(code) }).toEqual({ name, esmHttp: false });
    }
  });

  it("resolves semver to its gte module alone (lib/function-settings.ts alias), as CDK builds the bundles", () => {
    const sources = (JSON.parse(fs.readFileSync(path.join(dirs.Health, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.some((s) => s.endsWith('lib/bundling/semver-gte.cjs'))).toBe(true);
    expect(sources.filter((s) => /node_modules\/semver\/(index|classes\/range)\.js$/.test(s))).toEqual([]);
  });

  it('Health runs from the bundle (middy, Powertools logger, problem+json wrapper all inside): 200 with a table', () => {
    const result = run('Health', 'GET /health', { DYNAMODB_ENDPOINT: tables.endpoint, TABLE_NAME: tables.tableName, AWS_REGION: 'us-east-1' });
    expect(result).toMatchObject({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) });
  });

  it('Health answers 503 problem+json with Retry-After when the table cannot be reached', () => {
    // A port nothing listens on: the read fails fast, as an unreachable table would.
    const result = run('Health', 'GET /health', { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', TABLE_NAME: 'missing', AWS_REGION: 'us-east-1' });
    expect(result).toMatchObject({ statusCode: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } });
    expect(JSON.parse(result.body)).toMatchObject({ status: 503, type: '/problems/unavailable' });
  });

  it('PlaceOrder loads and rejects an unauthenticated call with 401 problem+json before touching AWS', () => {
    const result = run('PlaceOrder', 'POST /orders', {
      TABLE_NAME: 'orders',
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
      STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x',
    });
    expect(result.statusCode).toBe(401);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body)).toMatchObject({ status: 401 });
  });

  it('AuthorizePayment loads without the Stripe SDK, which loads from beside the bundle on first use', () => {
    expect(fs.statSync(path.join(dirs.AuthorizePayment, 'index.mjs')).size).toBeLessThan(250 * 1024);
    expect(run('AuthorizePayment', 'stripe')).toEqual({ atInit: [], from: '/node_modules/stripe/index.js', paymentIntents: 'function', webhooks: 'function' });
  });

  it('GetOpenApi serves the committed document from the file beside its bundle, which does not carry it', () => {
    const document = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'functions/openapi/openapi.json'), 'utf8'));
    expect(fs.readFileSync(path.join(dirs.GetOpenApi, 'index.mjs'), 'utf8')).not.toContain(document.info.title);
    const result = run('GetOpenApi', 'GET /openapi.json');
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual(document);
  });

  it('CreateLabel (pdf-lib, bwip-js: CommonJS inside an ESM bundle) loads, under 1 MB, with the font engine and the address formatter beside it', () => {
    expect(run('CreateLabel', 'load')).toEqual({ loaded: true });
    expect(fs.statSync(path.join(dirs.CreateLabel, 'index.mjs')).size).toBeLessThan(1024 * 1024);
    for (const pkg of [FONTKIT_PACKAGE, ADDRESS_FORMATTER_PACKAGE]) expect(fs.existsSync(path.join(dirs.CreateLabel, 'node_modules', pkg, 'index.js'))).toBe(true);
  });

  it('PDF functions get the font files beside the bundle, never inside it; other functions get none', () => {
    expect(fs.readdirSync(path.join(dirs.CreateLabel, 'fonts')).sort()).toEqual(Object.keys(FONT_FILES).sort());
    const bundleBytes = fs.statSync(path.join(dirs.CreateLabel, 'index.mjs')).size;
    const cjkBytes = fs.statSync(path.join(dirs.CreateLabel, 'fonts', 'NotoSansJP-Regular.ttf')).size;
    // Smaller than the CJK font alone (5.4 MB) that it would hold if fonts were inlined; the files match the packages.
    expect(bundleBytes).toBeLessThan(cjkBytes);
    for (const [name, source] of Object.entries(FONT_FILES)) {
      expect(fs.readFileSync(path.join(dirs.CreateLabel, 'fonts', name)).equals(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', source)))).toBe(true);
    }
    expect(fs.existsSync(path.join(dirs.PlaceOrder, 'fonts'))).toBe(false);
  });

  it('a label rendered from the bundle prints Unicode names with the fonts found beside it', () => {
    const content = {
      trackingNumber: 'RA473124829GB', orderId: 'o-1', orderNumber: 1001, carrier: 'Self-ship', service: 'Standard',
      sender: { name: 'Acme', lines: ['1 Road'] }, recipient: { name: 'Łucja Żółć', lines: ['山田太郎', '김민준', 'Ελλάδα', 'Россия'] },
      createdAt: '2026-12-01T00:00:00.000Z',
    };
    const { pdf, fontkitAtInit, fontkitAfterRender } = run('LabelModule', 'label', {}, JSON.stringify(content));
    // The font engine is not loaded at init, and on the first render it comes from beside the bundle.
    expect({ fontkitAtInit, fontkitAfterRender }).toEqual({ fontkitAtInit: [], fontkitAfterRender: ['/node_modules/@pdf-lib/fontkit/index.js'] });
    const text = inspectPdf(new Uint8Array(Buffer.from(pdf, 'base64'))).pages[0].text;
    for (const expected of ['Łucja Żółć', '山田太郎', '김민준', 'Ελλάδα', 'Россия', '#1001']) expect(text).toContain(expected);
  });

  it('aws:cdk:bundling-stacks = [] skips esbuild (what the other infra tests rely on)', () => {
    const app = new App({ outdir: tempOutdir('order-service-nobundle-'), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'NoBundle');
    new NodejsFunction(stack, 'Health', bundledFunctionProps(PROJECT_ROOT, entryOf('Health')));
    const started = Date.now();
    const dir = assetDirs(app, stack, ['Health']).Health;
    expect(fs.existsSync(path.join(dir, 'index.mjs'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
