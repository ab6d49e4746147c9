import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { logger } from './powertools';

export const stepInput = z.object({ orderId: z.uuid() });

/**
 * Wraps a Step Functions task handler: validates the input, tags logs with the order id, and lets errors
 * through untouched, because their `name` is what the state machine's Retry/Catch match on.
 */
export function step<S extends z.ZodType<{ orderId: string }>, R>(schema: S, fn: (input: z.infer<S>) => Promise<R>) {
  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const input = schema.parse(event);
      logger.appendKeys({ orderId: input.orderId });
      try {
        return await fn(input);
      } catch (error) {
        logger.warn('Step failed', { errorName: (error as Error).name, errorMessage: (error as Error).message });
        throw error;
      }
    });
}
