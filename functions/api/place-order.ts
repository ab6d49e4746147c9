import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { api, json, parseOr400 } from '../commons/http';
import { countMetric, logger, tagOrder } from '../commons/powertools';
import { ProblemError, unprocessable } from '../commons/problem';
import { customerView, type Order } from '../domain/order';
import { orderIdFor, requestFingerprint } from '../domain/order-identity';
import { idempotencyKey, placeOrderBody } from '../domain/schemas';
import { orderStore } from '../adapters/order-store';
import { newOrder, priceOrder } from '../orders/service';
import { nextOrderNumber } from '../orders/order-number';

/** The header is required and checked before anything else reads the request. */
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

/** The same key with the same body is the same order; the same key with another body is refused. */
function replay(existing: Order, fingerprint: string) {
  if (existing.requestFingerprint !== fingerprint) {
    throw unprocessable('idempotency-key-reused', 'This Idempotency-Key was already used with a different request body.');
  }
  return json(202, customerView(existing), { location: `/orders/${existing.id}` });
}

/**
 * POST /orders. The order id derives from (customer, Idempotency-Key) and the order is created with a
 * conditional put, so the order item is the idempotency record: a retry however late, after whatever failed
 * (a timeout, a crash, a stall past the function timeout), finds it and answers with its current view.
 * Nothing else happens here: the workflow is started by the outbox consumer from the committed order
 * (functions/stream/outbox-consumer.ts), never from this request.
 */
export const handler = api(
  { auth: 'customer', body: placeOrderBody, middlewares: [requireIdempotencyKey()] },
  async ({ body, principal, headers }) => {
    const orderId = orderIdFor(principal!.userId, headers['idempotency-key']!);
    tagOrder(orderId);
    const fingerprint = requestFingerprint(orderId, body);
    const existing = await orderStore.get(orderId);
    if (existing) return replay(existing, fingerprint);

    const priced = await priceOrder(body.items);
    const order = newOrder(body, principal!.userId, `customer:${principal!.username}`, priced, { id: orderId, requestFingerprint: fingerprint, number: await nextOrderNumber() });
    if (!(await orderStore.createIfAbsent(order))) {
      // A concurrent attempt with the same key committed first: answer as it did.
      return replay((await orderStore.get(orderId))!, fingerprint);
    }
    countMetric('OrdersPlaced');
    logger.info('Order placed', { orderId: order.id, lines: order.items.length });
    return json(202, customerView(order), { location: `/orders/${order.id}` });
  },
);
