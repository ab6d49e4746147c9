import { shipmentStore } from '../adapters/fulfillment/shipment-store';
import { api, json } from '../commons/http';
import { badRequest, notFound } from '../commons/problem';
import { isValidTrackingNumber } from '../domain/tracking';
import { defaultDescriptions } from '../fulfillment/carrier';

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
export const handler = api({ auth: 'public' }, async ({ params }) => {
  // People type numbers as printed ("RA 4731 2482 9 GB") or in lower case.
  const trackingNumber = safeDecode(params.trackingNumber ?? '').replace(/\s+/g, '').toUpperCase();
  if (!isValidTrackingNumber(trackingNumber)) {
    throw badRequest('The tracking number is not a valid S10 number (e.g. RA473124829GB).', [
      { path: 'trackingNumber', message: 'two letters, 9 digits with a valid check digit, and a country code' },
    ]);
  }
  const tracking = await shipmentStore.getTracking(trackingNumber, false);
  if (!tracking) throw notFound(`No shipment has tracking number ${trackingNumber}.`);
  return json(
    200,
    {
      trackingNumber: tracking.trackingNumber,
      status: tracking.status,
      events: tracking.events.map(({ at, status }) => ({ at, status, description: defaultDescriptions[status] })),
    },
    { 'cache-control': 'public, max-age=30' },
  );
});
