import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { logger, metrics, tracer } from '../commons/powertools';
import { retrySchedule } from './schedule';
import { sweep, type SweepReport } from './dispatcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The scheduled webhook dispatcher. EventBridge Scheduler invokes it every minute on AWS; it sweeps for up to
 * WEBHOOK_SWEEP_SECONDS (60 s, so one run hands over to the next), pausing WEBHOOK_SWEEP_PAUSE_MS (1 s) between sweeps that found nothing, so
 * a delivery waits about a second for its first attempt and retries keep their 5 s, 10 s, … schedule (a
 * one-minute schedule alone could not retry within 10 s). It stops early enough that an attempt in flight
 * ends before the Lambda's own timeout. Local mode calls it with `{ once: true }` every second.
 */
export async function dispatch(event: { once?: boolean } | undefined, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SweepReport> {
  const total: SweepReport = { due: 0, outcomes: {} };
  const budgetMs = Number(process.env.WEBHOOK_SWEEP_SECONDS ?? '60') * 1000;
  const pauseMs = Number(process.env.WEBHOOK_SWEEP_PAUSE_MS ?? '1000');
  const reserveMs = retrySchedule().timeoutMs + 5000;
  const started = Date.now();
  do {
    const report = await sweep({ deadline: Date.now() + context.getRemainingTimeInMillis() - 2000 });
    total.due += report.due;
    for (const [k, v] of Object.entries(report.outcomes)) total.outcomes[k as keyof SweepReport['outcomes']] = (total.outcomes[k as keyof SweepReport['outcomes']] ?? 0) + v;
    if (event?.once) break;
    if (report.due === 0) await sleep(pauseMs);
  } while (Date.now() - started < budgetMs && context.getRemainingTimeInMillis() > reserveMs + pauseMs);
  if (total.due) logger.info('Webhook sweep', { due: total.due, ...total.outcomes });
  return total;
}

export const handler = middy<{ once?: boolean } | undefined>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(logMetrics(metrics, { captureColdStartMetric: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => dispatch(event, context));
