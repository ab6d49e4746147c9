/**
 * Packages loaded on first use ship beside the bundle, external to it, for exactly the functions whose
 * declared needs say so (lib/constructs/service-function.ts besidePackagesFor): the Stripe SDK, the
 * address formatter, the font engine and nodemailer's MIME builder. The two directions both matter:
 *   - a function whose import graph reaches a loader but lacks the need gets the package inside its bundle
 *     (parsed at every cold start, and counted by bench:init as size);
 *   - a function with the need whose code never reaches the loader ships a file nothing loads.
 * And nothing but the loader imports the package, so nothing loads it at init. (esbuild over project files
 * only: fast.)
 */
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { ADDRESS_FORMATTER_PACKAGE, BESIDE_PACKAGES, besidePackagesFor, FONTKIT_PACKAGE, MAIL_COMPOSER_MODULE, STRIPE_PACKAGE } from '../../lib/constructs/service-function';
import { PROJECT_ROOT } from '../../lib/order-service-stack';
import { backgroundFunctions, routes, workflowTasks } from '../../lib/routes';

const LOADERS: Record<string, string> = {
  [STRIPE_PACKAGE]: 'functions/adapters/payments/stripe-sdk.ts',
  [ADDRESS_FORMATTER_PACKAGE]: 'functions/domain/address.ts',
  [FONTKIT_PACKAGE]: 'functions/fulfillment/fonts.ts',
  [MAIL_COMPOSER_MODULE]: 'functions/adapters/mailer.ts',
};

const all = [...routes, ...workflowTasks, ...backgroundFunctions];
const graphs = new Map<string, Metafile['inputs']>();
const graphOf = (entry: string) => {
  if (!graphs.has(entry)) {
    const { metafile } = buildSync({
      entryPoints: [path.join(PROJECT_ROOT, entry)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
      packages: 'external', absWorkingDir: PROJECT_ROOT, logLevel: 'silent', outfile: 'out.mjs',
    });
    graphs.set(entry, metafile!.inputs);
  }
  return graphs.get(entry)!;
};

it('names the loader of every package that ships beside a bundle', () => {
  expect(Object.keys(LOADERS).sort()).toEqual([...BESIDE_PACKAGES].sort());
});

describe.each(Object.entries(LOADERS))('%s beside the bundle', (pkg, loader) => {
  it('ships beside exactly the functions whose code reaches its loader', () => {
    const reaching = all.filter((r) => loader in graphOf(r.entry)).map((r) => r.name).sort();
    const shipping = all.filter((r) => besidePackagesFor(r.needs).includes(pkg)).map((r) => r.name).sort();
    expect({ pkg, shipping }).toEqual({ pkg, shipping: reaching });
  });

  it('is imported by its loader only (anything else would load it at init)', () => {
    const importers = all.flatMap((r) =>
      Object.entries(graphOf(r.entry))
        .filter(([file, input]) => file !== loader && input.imports.some((i) => i.path === pkg))
        .map(([file]) => `${r.name}: ${file}`),
    );
    expect([...new Set(importers)]).toEqual([]);
  });
});
