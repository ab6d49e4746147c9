/** Three layers share one config: unit (mocks only), integration (DynamoDB Local from globalSetup),
 *  infra (CDK assertions), e2e and browser (the whole local stack in-process). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript', tsx: true } } }] },
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // middy ships ESM (its "require" export relies on Node 22's require(esm), which jest lacks): swc converts it.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  maxWorkers: 2,
  testTimeout: 60000,
};
