/**
 * The Stripe SDK is external to the bundles and shipped beside them only for the functions whose needs say
 * they may call Stripe (lib/constructs/service-function.ts needsStripeSdk); their import graphs must reach
 * the loader (esbuild, project files only: fast), and nothing but the loader imports the package.
 */
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { needsStripeSdk } from '../../lib/constructs/service-function';
import { PROJECT_ROOT } from '../../lib/order-service-stack';
import { routes, workflowTasks } from '../../lib/routes';

const LOADER = 'functions/adapters/payments/stripe-sdk.ts';

const reaches = (entry: string, file: string) => {
  const { metafile } = buildSync({
    entryPoints: [path.join(PROJECT_ROOT, entry)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
    packages: 'external', absWorkingDir: PROJECT_ROOT, logLevel: 'silent', outfile: 'out.mjs',
  });
  return Object.keys(metafile!.inputs).includes(file);
};

describe('Stripe SDK beside the bundle', () => {
  const all = [...routes, ...workflowTasks];
  // A function with those needs gets `stripe` as an external: its code must be what loads it. One without
  // them that still reaches the loader gets the SDK inside its bundle (evaluated on first use, but parsed
  // and counted by bench:init), which works and shows up as size.
  it.each(all.filter((r) => needsStripeSdk(r.needs)).map((r) => [r.name, r] as const))('%s ships the SDK beside its bundle and its code loads it', (_, spec) => {
    expect({ name: spec.name, reachesStripe: reaches(spec.entry, LOADER) }).toEqual({ name: spec.name, reachesStripe: true });
  });

  it('nothing else imports the stripe package at run time (only types)', () => {
    const users = all.filter((r) => {
      const { metafile } = buildSync({
        entryPoints: [path.join(PROJECT_ROOT, r.entry)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
        packages: 'external', absWorkingDir: PROJECT_ROOT, logLevel: 'silent', outfile: 'out.mjs',
      });
      return Object.entries(metafile!.inputs).some(([file, input]) => file !== LOADER && input.imports.some((i) => i.path === 'stripe'));
    });
    expect(users.map((r) => r.name)).toEqual([]);
  });
});
