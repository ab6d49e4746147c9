'use strict';
// Bundled in place of `import http from 'node:http'` in ES modules (lib/function-settings.ts, esbuild
// alias): Node builds a built-in's ES module facade by reading every export, and node:http's WebSocket,
// CloseEvent and MessageEvent getters then load the bundled undici, ~15 ms of CPU at every cold start
// (the Powertools tracer's ES module build imports node:http). A CommonJS require reads nothing.
module.exports = require('node:http');
