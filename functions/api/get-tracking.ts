import { shipmentStore } from '../adapters/fulfillment/shipment-store';
import { api, json } from '../commons/http';
import { badRequest, notFound } from '../commons/problem';
import { isValidTrackingNumber } from '../domain/tracking';
import { defaultDescriptions } from '../fulfillment/carrier';
import { prefersHtml, trackingPageHtml } from '../fulfillment/tracking-page';

/** Path parameters may arrive still percent-encoded; a malformed escape is just an invalid number. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Public parcel tracking. The response is built field by field from the tracking record: status and events
 * only. Event descriptions are the fixed public wording of each status, not the carrier's or admin's free
 * text ("left with J. Smith at no. 12" would leak personal data to anyone holding the number).
 */
export const handler = api({ auth: 'public' }, async ({ params, headers }) => {
  // People type numbers as printed ("RA 4731 2482 9 GB") or in lower case.
  const trackingNumber = safeDecode(params.trackingNumber ?? '').replace(/\s+/g, '').toUpperCase();
  if (!isValidTrackingNumber(trackingNumber)) {
    throw badRequest('The tracking number is not a valid S10 number (e.g. RA473124829GB).', [
      { path: 'trackingNumber', message: 'two letters, 9 digits with a valid check digit, and a country code' },
    ]);
  }
  const tracking = await shipmentStore.getTracking(trackingNumber, false);
  if (!tracking) throw notFound(`No shipment has tracking number ${trackingNumber}.`);
  const view = {
    trackingNumber: tracking.trackingNumber,
    status: tracking.status,
    events: tracking.events.map(({ at, status }) => ({ at, status, description: defaultDescriptions[status] })),
  };
  // The tracking URL in emails opens in a browser: people get a page, programs the JSON of SPEC.md.
  const caching = { 'cache-control': 'public, max-age=30', vary: 'Accept' };
  if (prefersHtml(headers.accept)) {
    return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", ...caching }, body: trackingPageHtml(view) };
  }
  return json(200, view, caching);
});
