import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { api, json, parseOr400 } from '../commons/http';
import { idempotentHandler } from '../commons/idempotency';
import { config } from '../commons/config';
import { logger, metrics } from '../commons/powertools';
import { ProblemError } from '../commons/problem';
import { customerView } from '../domain/order';
import { idempotencyKey, placeOrderBody } from '../domain/schemas';
import { orderStore } from '../adapters/order-store';
import { startOrderWorkflow } from '../adapters/workflow';
import { newOrder, priceOrder } from '../orders/service';

/** The header is required and checked before the idempotency layer sees the request. */
const requireIdempotencyKey = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    const key = event.headers['idempotency-key'];
    if (key === undefined) {
      throw new ProblemError(400, 'idempotency-key-required', 'POST /orders requires an Idempotency-Key header.', [
        { path: 'headers.idempotency-key', message: 'is required' },
      ]);
    }
    parseOr400(idempotencyKey, key, 'Idempotency-Key header');
  },
});

/**
 * Powertools idempotency, keyed by caller and header: the same key and body returns the stored response,
 * a different body is IdempotencyValidationError (422), a concurrent duplicate is
 * IdempotencyAlreadyInProgressError (409); both are mapped in commons/http.ts.
 */
const idempotent = () =>
  idempotentHandler({
    eventKeyJmesPath: '[requestContext.authorizer.jwt.claims.sub, headers."idempotency-key"]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: 24 * 3600,
  });

export const handler = api(
  { auth: 'customer', body: placeOrderBody, middlewares: [requireIdempotencyKey(), idempotent()] },
  async ({ body, principal }) => {
    const priced = await priceOrder(body.items);
    const order = newOrder(body, principal!.userId, `customer:${principal!.username}`, priced);
    await orderStore.create(order);
    try {
      await startOrderWorkflow({ orderId: order.id, holdSeconds: config.orderHoldSeconds() });
    } catch (error) {
      // Nothing is reserved or charged yet: withdraw the order so it is never left PENDING, and let the
      // client retry with the same key (Powertools releases the key when the handler throws). If the
      // withdrawal finds the order moving, the start did go through (only its answer was lost): accept it.
      if (await orderStore.deletePending(order.id)) {
        logger.error('Workflow start failed; order withdrawn', { orderId: order.id, error: error as Error });
        throw new ProblemError(503, 'workflow-unavailable', 'The order could not be started; nothing was charged. Retry with the same Idempotency-Key.');
      }
      logger.warn('Workflow start reported an error but the saga is running', { orderId: order.id, error: error as Error });
    }
    metrics.addMetric('OrdersPlaced', 'Count', 1);
    logger.info('Order placed', { orderId: order.id, lines: order.items.length });
    return json(202, customerView(order), { location: `/orders/${order.id}` });
  },
);
