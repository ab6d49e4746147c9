'use strict';
// Bundled in place of the `semver` package (lib/function-settings.ts, esbuild alias). The tracer's
// dependencies call nothing of it but `gte`: aws-xray-sdk-core to check an SDK v2 version, cls-hooked the
// Node version. Both copies (semver 5 and 7) were 27 KB of every bundle; semver's own `gte` module is 9 KB.
// test/infra/bundling-aliases.test.ts fails if a bundled package starts calling anything else.
module.exports = { gte: require('../../node_modules/semver/functions/gte.js') };
