import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import * as z from '../domain/zod';
import { logger } from './powertools';

export const stepInput = z.object({ orderId: z.uuid() });

/** Any zod schema (mini or classic) of a step's input. */
type StepSchema = $ZodType<{ orderId: string }> & { parse(value: unknown): unknown };

/**
 * Wraps a Step Functions task handler: validates the input, tags logs with the order id, and lets errors
 * through untouched, because their `name` is what the state machine's Retry/Catch match on.
 */
export function step<S extends StepSchema, R>(schema: S, fn: (input: output<S>) => Promise<R>) {
  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const input = schema.parse(event) as output<S>;
      logger.appendKeys({ orderId: input.orderId });
      try {
        return await fn(input);
      } catch (error) {
        logger.warn('Step failed', { errorName: (error as Error).name, errorMessage: (error as Error).message });
        throw error;
      }
    });
}
