import { shipmentStore } from '../adapters/fulfillment/shipment-store';
import { applyTrackingEvent, defaultDescriptions, trackingEventKey, type TrackingEvent, type TrackingStatus } from '../domain/tracking';

/**
 * Appending a tracking event to a shipment's public tracking record. Apart from the fulfillment service
 * (service.ts), which brings the carrier and its webhook schema: the outbox consumer records SHIPPED with
 * this alone.
 */
export class TrackingNotFound extends Error {
  constructor(readonly trackingNumber: string) {
    super(`No shipment with tracking number ${trackingNumber}`);
  }
}

export interface TrackingEventResult {
  duplicate: boolean;
  status: TrackingStatus;
}

/** Optimistic loops re-read and retry when a concurrent writer got in first, with jittered backoff. */
export const MAX_ATTEMPTS = 10;
export const backoff = (attempt: number) =>
  attempt === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * Math.min(attempt, 5)));

/**
 * Appends a tracking event. Idempotent: a repeated milestone (SHIPPED from a retried step) or a repeated
 * carrier event id is a no-op that reports `duplicate: true`.
 */
export async function appendTrackingEvent(
  trackingNumber: string,
  event: { at: string; status: TrackingStatus; description?: string },
  options: { eventId?: string } = {},
  now: () => Date = () => new Date(),
): Promise<TrackingEventResult> {
  const full: TrackingEvent = { at: event.at, status: event.status, description: event.description ?? defaultDescriptions[event.status] };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    await backoff(attempt);
    const tracking = await shipmentStore.getTracking(trackingNumber);
    if (!tracking) throw new TrackingNotFound(trackingNumber);
    const next = applyTrackingEvent(tracking, full, trackingEventKey(full, options.eventId));
    if (!next) return { duplicate: true, status: tracking.status };
    const receivedAt = now();
    const items = [shipmentStore.trackingUpdate(trackingNumber, tracking.version, next, receivedAt.toISOString())];
    if (options.eventId) items.push(shipmentStore.webhookEventPut(options.eventId, { trackingNumber, status: full.status }, receivedAt));
    const result = await shipmentStore.transact(items);
    if (result.ok) return { duplicate: false, status: next.status };
    if (result.failed.includes(1)) return { duplicate: true, status: tracking.status };
    // version moved: someone appended meanwhile; re-read and apply again
  }
  throw new Error(`Could not record a tracking event for ${trackingNumber}: too much contention`);
}

/** Entry point for the ship step and the outbox consumer. */
export const recordTrackingEvent = (trackingNumber: string, event: { at: string; status: TrackingStatus; description?: string }) =>
  appendTrackingEvent(trackingNumber, event);
