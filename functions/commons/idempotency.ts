import type { MiddlewareObj, Request } from '@middy/core';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { dynamoDbClient } from './clients';
import { config } from './config';
import { ProblemError } from './problem';

/** Powertools' refusals, as the problem+json answers of SPEC.md (only routes that use idempotency load these). */
function asProblem(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new ProblemError(422, 'idempotency-key-reused', 'This Idempotency-Key was already used with a different request body.');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new ProblemError(409, 'request-in-progress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
  }
  return error;
}

/**
 * Powertools' idempotency middleware, with one correction. In @aws-lambda-powertools/idempotency 2.35.0
 * its `onError` deletes the record whenever anything failed, including its own `before` rejecting a
 * concurrent duplicate: the duplicate then removes the still-running original's lock and a third request
 * runs the handler again (aws-powertools/powertools-lambda-typescript#5675, fixed upstream after 2.35.0).
 * Here `onError` only runs for requests that acquired the record. Proven by the 20-replay race in
 * test/e2e/order-saga.test.ts. Remove this wrapper once a release with the fix is installed.
 */
export function idempotentHandler(options: {
  eventKeyJmesPath: string;
  payloadValidationJmesPath?: string;
  expiresAfterSeconds?: number;
  /** Without a key, run the request once, unprotected (for routes where the header is optional). */
  keyOptional?: boolean;
}): MiddlewareObj {
  const { keyOptional, ...idempotencyOptions } = options;
  // Built on first use, so merely importing a handler needs no table configured.
  let built: MiddlewareObj | undefined;
  const inner = () =>
    (built ??= makeHandlerIdempotent({
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName(), awsSdkV3Client: dynamoDbClient() }),
      config: new IdempotencyConfig({ throwOnNoIdempotencyKey: !keyOptional, ...idempotencyOptions }),
    }));
  const acquired = new WeakSet<Request>();
  return {
    before: async (request) => {
      let replay: unknown;
      try {
        replay = await inner().before!(request);
      } catch (error) {
        throw asProblem(error);
      }
      // No stored response to replay and no error: this request now holds the in-progress record.
      if (replay === undefined) acquired.add(request);
      return replay;
    },
    after: async (request) => {
      // Saving the result is the last step; a failure to save must not delete the record either.
      acquired.delete(request);
      await inner().after!(request);
    },
    onError: async (request) => {
      if (!acquired.delete(request)) return;
      await inner().onError!(request);
    },
  };
}
