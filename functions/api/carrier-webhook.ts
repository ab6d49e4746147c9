import { api, json } from '../commons/http';
import { conflict, notFound, ProblemError } from '../commons/problem';
import { logger } from '../commons/powertools';
import { WebhookRejected } from '../fulfillment/carrier';
import { fulfillment, OrderNotFound, OrderNotShipped, TrackingNotFound } from '../fulfillment/service';
import { carrierWebhookSecret } from '../fulfillment/webhook-secret';

/**
 * Carrier tracking events (docs/carriers.md). Public at the gateway: the HMAC signature over timestamp and
 * raw body is the authentication. Verification happens before anything is read or written, and every
 * refusal is a 4xx that changes nothing. Idempotent by event id.
 */
export const handler = api({ auth: 'public', parsesOwnBody: true }, async ({ event, headers }) => {
  const rawBody = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  const service = fulfillment();
  let carrierEvent;
  try {
    carrierEvent = service.carrier.parseWebhook({ headers, rawBody }, await carrierWebhookSecret());
  } catch (error) {
    if (error instanceof WebhookRejected) {
      logger.warn('Carrier webhook rejected', { reason: error.reason });
      throw new ProblemError(400, error.reason, error.message, error.errors);
    }
    throw error;
  }

  try {
    const result = await service.handleCarrierEvent(carrierEvent);
    logger.info('Carrier event processed', { eventId: carrierEvent.eventId, status: carrierEvent.status, duplicate: result.duplicate });
    return json(200, { received: true, eventId: carrierEvent.eventId, duplicate: result.duplicate, status: result.status });
  } catch (error) {
    if (error instanceof TrackingNotFound) throw notFound(`No shipment has tracking number ${carrierEvent.trackingNumber}.`);
    if (error instanceof OrderNotShipped) throw conflict('order-not-shipped', `The order of this shipment is ${error.status}; only a SHIPPED order can be delivered.`);
    if (error instanceof OrderNotFound) throw notFound('The order of this shipment no longer exists.');
    throw error;
  }
});
