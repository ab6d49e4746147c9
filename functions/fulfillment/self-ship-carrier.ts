import { nextTrackingSerial } from '../adapters/fulfillment/tracking-serial';
import { addressLines } from '../domain/address';
import type { Order } from '../domain/order';
import { isValidTrackingNumber, makeTrackingNumber } from '../domain/tracking';
import { carrierEventBody, defaultDescriptions, WebhookRejected, type CarrierPort, type CreatedShipment, type CreateShipmentRequest } from './carrier';
import type { LabelContent } from './label';
import { fulfillmentSettings } from './settings';
import { SIGNATURE_HEADER, verifySignature } from './webhook-signature';

export const SELF_SHIP_CARRIER = 'Self-ship';
export const SELF_SHIP_SERVICE = 'Self-ship Standard';

export function labelContentFor(order: Order, request: CreateShipmentRequest, trackingNumber: string, createdAt: string): LabelContent {
  return {
    trackingNumber,
    orderId: order.id,
    ...(order.number !== undefined ? { orderNumber: order.number } : {}),
    carrier: SELF_SHIP_CARRIER,
    service: SELF_SHIP_SERVICE,
    sender: request.fromAddress,
    recipient: { name: order.shippingAddress.name ?? order.customer.name, lines: addressLines(order.shippingAddress) },
    weightGrams: request.weightGrams,
    createdAt,
  };
}

/** The one call that allocates an S10 tracking number (shipments and return labels alike). */
export async function allocateTrackingNumber(nextSerial: () => Promise<number> = nextTrackingSerial): Promise<string> {
  return makeTrackingNumber(fulfillmentSettings.serviceIndicator(), await nextSerial(), fulfillmentSettings.trackingCountry());
}

/** The label renderer (functions/fulfillment/label.ts: pdf-lib, bwip-js), given only where labels are made. */
export interface LabelRenderer {
  renderLabelPdf(content: LabelContent): Promise<Uint8Array>;
  renderLabelZpl(content: LabelContent): string;
}

/**
 * The built-in carrier: the merchant ships parcels itself. Tracking numbers are S10 numbers from this
 * service's own counter; labels are rendered in the Lambda; tracking events come from the signed webhook
 * (a courier app, or `scripts`/tests that sign events with the shared secret).
 *
 * The renderer is passed in (fulfillment/labelling.ts does, for the label step) rather than imported, so the
 * functions that only read shipments or parse webhooks carry no PDF or barcode library.
 */
export function selfShipCarrier(deps: { nextSerial?: () => Promise<number>; now?: () => Date; labels?: LabelRenderer } = {}): CarrierPort {
  const nextSerial = deps.nextSerial ?? nextTrackingSerial;
  const now = deps.now ?? (() => new Date());
  return {
    name: SELF_SHIP_CARRIER,
    async createShipment(request): Promise<CreatedShipment> {
      const labels = deps.labels;
      if (!labels) throw new Error('This function has no label renderer: shipments are created by the label step (fulfillment/labelling.ts)');
      const existing = request.existingTrackingNumber;
      if (existing !== undefined && !isValidTrackingNumber(existing)) throw new Error('The existing tracking number is not a valid S10 number');
      const trackingNumber = existing ?? (await allocateTrackingNumber(nextSerial));
      const content = labelContentFor(request.order, request, trackingNumber, now().toISOString());
      return {
        trackingNumber,
        carrier: SELF_SHIP_CARRIER,
        service: SELF_SHIP_SERVICE,
        labelPdf: await labels.renderLabelPdf(content),
        labelZpl: labels.renderLabelZpl(content),
        trackingUrl: fulfillmentSettings.trackingUrl(trackingNumber),
      };
    },
    parseWebhook(request, secret, at = now()) {
      verifySignature(request.headers[SIGNATURE_HEADER], request.rawBody, secret, at);
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody);
      } catch {
        throw new WebhookRejected('malformed-body', 'The webhook body is not valid JSON.');
      }
      const result = carrierEventBody.safeParse(json);
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
        throw new WebhookRejected('malformed-body', 'The webhook body is invalid.', errors);
      }
      const body = result.data;
      return {
        eventId: body.eventId,
        trackingNumber: body.trackingNumber,
        status: body.status,
        occurredAt: new Date(body.occurredAt).toISOString(),
        description: body.description ?? defaultDescriptions[body.status],
      };
    },
  };
}
