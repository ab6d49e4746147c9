import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import * as z from '../domain/zod';
import { countMetric, logger, metrics, tagOrder, tracer } from './powertools';

export const stepInput = z.object({ orderId: z.uuid() });

/** Any zod schema (mini or classic) of a step's input. */
type StepSchema = $ZodType<{ orderId: string }> & { parse(value: unknown): unknown };

/**
 * Errors a step throws to report a business outcome (the state machine turns them into a declined, out of
 * stock or cancelled order). Every other error is a fault and counted in `StepFaults`. Keep in step with
 * functions/orders/errors.ts and the ASL's Catch clauses.
 */
export const BUSINESS_OUTCOME_ERRORS: ReadonlySet<string> = new Set(['OutOfStock', 'OrderNotActive', 'PaymentDeclined']);

/**
 * The step's name for metrics (ReserveStock): on AWS the stack sets SERVICE_FUNCTION_NAME (deployed function
 * names are generated); locally every step runs in one process and the context carries `order-service-<name>`.
 */
const stepName = (context: Context | undefined) =>
  process.env.SERVICE_FUNCTION_NAME ?? (context?.functionName ?? 'unknown').replace(/^order-service-/, '');

/**
 * Wraps a Step Functions task handler: X-Ray tracing with the order id as an annotation, EMF metrics flushed
 * on every invocation (cold start included), input validation, logs tagged with the order id, and errors
 * let through untouched, because their `name` is what the state machine's Retry/Catch match on.
 */
export function step<S extends StepSchema, R>(schema: S, fn: (input: output<S>) => Promise<R>) {
  return middy<unknown, R, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const input = schema.parse(event) as output<S>;
      tagOrder(input.orderId);
      try {
        return await fn(input);
      } catch (error) {
        const name = (error as Error).name;
        if (BUSINESS_OUTCOME_ERRORS.has(name)) {
          logger.info('Step ended with a business outcome', { errorName: name });
        } else {
          countMetric('StepFaults', { step: stepName(context) });
          logger.warn('Step failed', { errorName: name, errorMessage: (error as Error).message });
        }
        throw error;
      }
    });
}
