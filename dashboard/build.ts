/**
 * Builds the admin dashboard into `dashboard/dist/`: one minified JS bundle and one CSS file, both with a
 * content hash in the name (so CloudFront can cache them forever), and an `index.html` that loads them by
 * <script src>/<link href> only. No inline script or style: the CSP is `script-src 'self'; style-src 'self'`.
 *
 * `npm run build:dashboard` runs this file; tests and CDK import `buildDashboard()`.
 */
import { build } from 'esbuild';
import { mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

export const dashboardRoot = resolve(__dirname);
export const dashboardDist = join(dashboardRoot, 'dist');

export interface DashboardBuild {
  outDir: string;
  /** Paths relative to outDir, e.g. `assets/main-ABC123.js`. */
  script: string;
  stylesheet: string;
}

export async function buildDashboard(options: { outDir?: string; minify?: boolean } = {}): Promise<DashboardBuild> {
  const outDir = options.outDir ?? dashboardDist;
  const assetsDir = join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });

  const result = await build({
    entryPoints: [join(dashboardRoot, 'src', 'main.tsx')],
    bundle: true,
    minify: options.minify ?? true,
    sourcemap: false,
    format: 'iife',
    target: ['chrome120', 'firefox120', 'safari17', 'edge120'],
    jsx: 'automatic',
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: dashboardRoot,
  });

  const outputs = Object.keys(result.metafile.outputs).map((file) => relative(outDir, resolve(dashboardRoot, file)));
  const script = outputs.find((file) => file.endsWith('.js'));
  const stylesheet = outputs.find((file) => file.endsWith('.css'));
  if (!script || !stylesheet) throw new Error(`esbuild produced no JS or CSS bundle: ${outputs.join(', ')}`);

  await copyFile(join(dashboardRoot, 'src', 'favicon.svg'), join(outDir, 'favicon.svg'));
  await writeFile(join(outDir, 'index.html'), indexHtml(script, stylesheet), 'utf8');
  return { outDir, script, stylesheet };
}

/** Relative asset URLs so the app also works when served under a path prefix. */
function indexHtml(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Order Service · Admin</title>
    <link rel="icon" href="favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="${stylesheet}">
    <script defer src="${script}"></script>
  </head>
  <body>
    <noscript>The admin dashboard needs JavaScript.</noscript>
    <div id="root"></div>
  </body>
</html>
`;
}

if (require.main === module) {
  buildDashboard()
    .then(({ outDir, script, stylesheet }) => {
      console.log(`Dashboard built in ${relative(process.cwd(), outDir)}/: index.html, ${script}, ${stylesheet}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
