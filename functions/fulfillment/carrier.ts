import * as z from '../domain/zod';
import type { Order } from '../domain/order';
import { isValidTrackingNumber } from '../domain/tracking';
import type { SenderAddress } from './settings';

/**
 * The carrier port. The built-in self-ship carrier (self-ship-carrier.ts) implements it with S10 numbers
 * from a DynamoDB counter and labels rendered here; a real carrier (EasyPost, Shippo) is another adapter
 * that buys the label through its API (docs/carriers.md).
 */
export interface CreateShipmentRequest {
  order: Order;
  fromAddress: SenderAddress;
  weightGrams?: number;
  /**
   * A tracking number this order already holds from an interrupted attempt: the adapter must reuse it
   * (re-render or re-download the label) instead of buying or allocating a new one.
   */
  existingTrackingNumber?: string;
}

export interface CreatedShipment {
  trackingNumber: string;
  carrier: string;
  service: string;
  labelPdf: Uint8Array;
  labelZpl: string;
  trackingUrl: string;
}

/** Carrier event statuses accepted from webhooks (the service's own statuses come from the workflow). */
export const CARRIER_EVENT_STATUSES = ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'] as const;
export type CarrierEventStatus = (typeof CARRIER_EVENT_STATUSES)[number];

/** A carrier webhook event after verification and normalisation: what the service acts on. */
export interface CarrierEvent {
  eventId: string;
  trackingNumber: string;
  status: CarrierEventStatus;
  /** ISO 8601 UTC, normalised with toISOString so events sort as strings. */
  occurredAt: string;
  description: string;
}

export interface WebhookRequest {
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received: signatures are computed over bytes, not over re-serialised JSON. */
  rawBody: string;
}

export interface CarrierPort {
  /** Name printed on labels and stored on shipments, e.g. "Self-ship". */
  readonly name: string;
  createShipment(request: CreateShipmentRequest): Promise<CreatedShipment>;
  /**
   * Verifies the signature (throws WebhookRejected) and normalises the payload (throws WebhookRejected
   * with field errors). `now` is injectable for replay-window tests.
   */
  parseWebhook(request: WebhookRequest, secret: string, now?: Date): CarrierEvent;
}

/** Why a webhook was refused; the handler maps it to 400 and changes nothing. */
export class WebhookRejected extends Error {
  constructor(
    readonly reason: 'missing-signature' | 'bad-signature' | 'stale-timestamp' | 'malformed-body',
    message: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export { defaultDescriptions } from '../domain/tracking';

/** The self-ship (and documented generic) webhook body. Strict: unknown fields are refused. */
export const carrierEventBody = z.strictObject({
  eventId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, 'visible ASCII only')),
  trackingNumber: z.string().check(z.minLength(1), z.maxLength(64), z.refine(isValidTrackingNumber, 'not a valid S10 tracking number')),
  status: z.enum(CARRIER_EVENT_STATUSES),
  occurredAt: z.iso.datetime({ offset: true }),
  description: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
});
