import * as z from '../domain/zod';
import { adminActor } from '../commons/auth';
import { api, json, parseOr400 } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { badRequest, conflict, notFound } from '../commons/problem';
import { adminOrderView } from '../orders/admin-view';
import { fulfillment, OrderNotFound, OrderNotShipped } from '../fulfillment/service';

/** Optional body: an empty POST means "delivered now". */
const deliveredBody = z.strictObject({
  reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
  deliveredAt: z.optional(z.iso.datetime({ offset: true })),
});

/** Clock skew allowed for an admin-entered delivery time. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** SHIPPED → DELIVERED by hand (the carrier never reported it): same transaction as the carrier webhook. */
export const handler = api({ auth: 'admin', parsesOwnBody: true }, async ({ event, params, principal }) => {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  let parsedJson: unknown = {};
  if (raw.trim()) {
    try {
      parsedJson = JSON.parse(raw);
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
  }
  const body = parseOr400(deliveredBody, parsedJson, 'request body');
  const now = Date.now();
  const at = body.deliveredAt ? new Date(body.deliveredAt) : new Date(now);
  if (at.getTime() > now + FUTURE_TOLERANCE_MS) {
    throw badRequest('deliveredAt is in the future.', [{ path: 'deliveredAt', message: 'must not be in the future' }]);
  }
  const orderId = params.id ?? '';
  const actor = adminActor(principal);
  try {
    await fulfillment().markDelivered(orderId, {
      actor,
      reason: body.reason ?? 'Marked delivered by an administrator',
      at: at.toISOString(),
      description: 'Delivered (confirmed by the merchant)',
    });
  } catch (error) {
    if (error instanceof OrderNotFound) throw notFound(`Order ${orderId} was not found.`);
    if (error instanceof OrderNotShipped) throw conflict('order-not-shipped', `Order ${orderId} is ${error.status}; only a SHIPPED order can be marked delivered.`);
    throw error;
  }
  await auditAdminAction(principal, 'order.deliver', `order:${orderId}`, { deliveredAt: at.toISOString() });
  return json(200, await adminOrderView(orderId));
});
