import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { countMetric, logger, metrics, tracer } from '../commons/powertools';
import { effectsOf, type Image } from '../outbox/effects';
import { runEffect } from '../outbox/run-effect';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (value: Record<string, unknown> | undefined): Image | undefined =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;

/**
 * The outbox consumer: the main table's change stream in, side effects out (workflow start, customer emails,
 * low-stock alerts). On AWS a Lambda event source mapping feeds it with partial batch responses (bisect on
 * error, bounded retries, an SQS dead-letter queue); locally local/stream-poller.ts feeds the same handler
 * from DynamoDB Local's stream. Every effect is idempotent, so a redelivered record repeats nothing.
 *
 * Records are processed in order, and once a record of an item fails, later records of the same item in the
 * batch fail too: the retry starts from the first failure and the item's effects keep their order.
 */
async function consume(event: DynamoDBStreamEvent, context: Context) {
  const failedItems = new Set<string>();
  const recordHandler = async (record: DynamoDBRecord) => {
    const keyOf = JSON.stringify(record.dynamodb?.Keys ?? {});
    if (failedItems.has(keyOf)) throw new Error('An earlier change of this item failed in this batch');
    try {
      const effects = effectsOf(record.eventName, image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage));
      for (const effect of effects) {
        const outcome = await runEffect(effect);
        countMetric('OutboxEffects', { effect: effect.kind });
        logger.debug('Outbox effect', { effect: effect.kind, outcome, ...('orderId' in effect ? { orderId: effect.orderId } : {}) });
      }
    } catch (error) {
      failedItems.add(keyOf);
      countMetric('OutboxEffectFailures');
      logger.warn('Outbox effect failed; the record will be retried', { error: (error as Error).name, detail: (error as Error).message });
      throw error;
    }
  };
  metrics.addMetric('OutboxRecords', 'Count', event.Records.length);
  return processPartialResponse(event, recordHandler, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
}

export const handler = middy(consume)
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(injectLambdaContext(logger, { resetKeys: true }));
