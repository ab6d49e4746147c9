import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';

export const SERVICE_NAME = 'order-service';

/** What `semver` resolves to in the bundles (project-relative). */
export const SEMVER_SUBSET = 'lib/bundling/semver-gte.cjs';

/** What ES modules' `node:http` resolves to in the bundles (project-relative). */
export const NODE_HTTP_SHIM = 'lib/bundling/node-http.cjs';

/**
 * The one settings object every NodejsFunction of the service is built from (API handlers and workflow
 * tasks alike); constructs only add their entry, log group and environment.
 *
 * Bundling: middy ships ESM only, so the output is ESM (`index.mjs`). CommonJS dependencies that call
 * `require()` (aws-xray-sdk-core inside the Powertools tracer, for one) get a real `require` from the banner;
 * without it esbuild's ESM output throws "Dynamic require of ... is not supported" at cold start.
 * The AWS SDK v3 is left to the Lambda runtime (it ships it); Powertools, middy, zod, stripe and the label
 * libraries are bundled.
 */
export const functionSettings = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  // API Gateway gives up on an integration after 30 s; a handler stuck longer than this is a bug.
  timeout: Duration.seconds(15),
  tracing: Tracing.ACTIVE,
  bundling: {
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node22',
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    externalModules: ['@aws-sdk/*'],
    // The tracer's dependencies use only semver's `gte`: the one module, not two copies of the package.
    // node:http imported by ES modules is required instead (lib/bundling/node-http.cjs says why).
    esbuildArgs: { '--alias': [`semver=./${SEMVER_SUBSET}`, `node:http=./${NODE_HTTP_SHIM}`] },
  },
  environment: {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: 'OrderService',
  },
} satisfies NodejsFunctionProps;

/** Workflow steps call Stripe (with retries), render PDFs and write S3: they get more time than API calls. */
export const WORKFLOW_TASK_TIMEOUT = Duration.seconds(60);
