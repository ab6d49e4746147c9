/**
 * The import graph is the architecture (docs/conventions.md, issue #14). Checked in `npm test`
 * (test/infra/dependencies.test.ts) and by `depcruise functions local lib --output-type err`.
 */
const fs = require('node:fs');

/** Feature modules that are ports or models (interfaces, errors, pure records): adapters may implement them. */
const PORTS = [
  '^functions/payments/(gateway|payment)\\.ts$',
  '^functions/fulfillment/(carrier|label-storage|settings)\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: a cycle means two modules are one module, and bundles carry both. A cycle made only of type imports is erased at build time.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-no-sdk',
      severity: 'error',
      comment: 'functions/domain is plain TypeScript: no AWS SDK, no Powertools, no middy.',
      from: { path: '^functions/domain/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-xray-sdk-core|stripe)/' },
    },
    {
      name: 'domain-only-domain',
      severity: 'error',
      comment: 'functions/domain imports nothing outside functions/domain but pure, I/O-free libraries: zod (schemas), @fragaria/address-formatter (address formats), json-canonicalize (audit hashes); Node built-ins such as crypto are allowed.',
      from: { path: '^functions/domain/' },
      to: { pathNot: ['^functions/domain/', '(^|/)node_modules/(zod|@fragaria/address-formatter|json-canonicalize)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-no-use-cases',
      severity: 'error',
      comment: 'Adapters implement ports; they never call the use cases (feature services) that use them.',
      from: { path: '^functions/adapters/' },
      to: {
        path: '^functions/(orders|payments|fulfillment|inventory|notifications|catalog|api|workflow)/',
        pathNot: PORTS,
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'runtime-no-lib',
      severity: 'error',
      comment: 'Lambda code imports nothing from lib/ (CDK) except types.',
      from: { path: '^functions/' },
      to: { path: '^lib/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'stores-in-adapters',
      severity: 'error',
      comment: 'Every store (a module that reads or writes a table) lives under functions/adapters/.',
      from: {},
      to: { path: '^functions/(?!adapters/).*-store\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are seen (and marked type-only) so the rules above can allow them.
    tsPreCompilationDeps: true,
    ...(fs.existsSync('tsconfig.json') ? { tsConfig: { fileName: 'tsconfig.json' } } : {}),
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '(^|/)(cdk\\.out|dashboard/dist)/' },
  },
};
