import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { logger, metrics, tracer } from '../commons/powertools';
import { reconcile } from './repairs';

/** The scheduled reconciler (EventBridge Scheduler on AWS, every 30 s in local mode). */
export const handler = middy<{ staleSeconds?: number } | undefined>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // The schedule sends no input; local mode's run at start passes staleSeconds 0 (every execution of the
  // previous process is gone, so nothing open can still be in flight).
  .handler(async (event) => reconcile({ staleSeconds: typeof event?.staleSeconds === 'number' ? event.staleSeconds : undefined }));
