import { orderStore } from '../adapters/order-store';
import { shipmentStore, type ShipmentItem, type TrackingItem, type TransactItem } from '../adapters/fulfillment/shipment-store';
import { countMetric, logger, tagOrder } from '../commons/powertools';
import type { Order, OrderStatus, ShipmentSummary } from '../domain/order';
import { applyTrackingEvent, trackingEventKey, type TrackingEvent, type TrackingStatus } from '../domain/tracking';
import { defaultDescriptions, type CarrierEvent, type CarrierPort } from './carrier';
import { appendTrackingEvent, backoff, MAX_ATTEMPTS, TrackingNotFound, type TrackingEventResult } from './tracking-events';

export { TrackingNotFound, type TrackingEventResult };
import { labelContentTypes, labelKey, type LabelStorage } from './label-storage';
import { labelStorage } from './label-stores';
import { selfShipCarrier } from './self-ship-carrier';
import { fulfillmentSettings } from './settings';
import { shipmentOnlyUpdate, withShipmentChange, type UpdateParams } from '../adapters/fulfillment/order-shipments';
import { isDelivered, plannedShipments, type ShipmentPlan } from '../domain/shipments';
import { returnArrived } from '../adapters/returns-store';

/**
 * Fulfillment use cases for the workflow steps and the HTTP handlers: create the shipment (idempotent per
 * order), append tracking events, and mark orders delivered. Every multi-item change is one transaction.
 */

export class OrderNotFound extends Error {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} not found`);
  }
}
export class OrderNotShipped extends Error {
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
  ) {
    super(`Order ${orderId} is ${status}, not SHIPPED`);
  }
}
export class DuplicateCarrierEvent extends Error {
  constructor(readonly eventId: string) {
    super(`Carrier event ${eventId} was already processed`);
  }
}


export interface MarkDeliveredInput {
  actor: string;
  reason: string;
  /** When the parcel was delivered (the carrier's time); the timeline records when we learnt it. */
  at: string;
  /** Carrier event id: marks the event processed in the same transaction (webhooks only). */
  eventId?: string;
  /** The shipment delivered (carrier: the tracking number's); without it every shipment of a SHIPPED order. */
  shipmentId?: string;
  trackingNumber?: string;
  description?: string;
}

export interface FulfillmentDeps {
  carrier?: CarrierPort;
  storage?: () => LabelStorage;
  now?: () => Date;
}


const summaryOf = (item: ShipmentItem): ShipmentSummary => ({
  trackingNumber: item.trackingNumber,
  trackingUrl: item.trackingUrl ?? fulfillmentSettings.trackingUrl(item.trackingNumber),
  carrier: item.carrier,
  service: item.service,
  ...(item.labelKeys ? { labelKey: item.labelKeys.pdf } : {}),
});

export function createFulfillmentService(deps: FulfillmentDeps = {}) {
  const carrier = deps.carrier ?? selfShipCarrier();
  const storage = deps.storage ?? labelStorage;
  const now = deps.now ?? (() => new Date());

  /**
   * Buys/allocates the shipment and stores its labels. Idempotent per order: the tracking number is claimed
   * on the order's shipment item before labels are stored, so a retried step reuses it (re-rendering the
   * label) and never allocates a second one. Only a caller that loses a concurrent claim wastes a serial.
   */
  async function createShipmentForOrder(order: Order, plan: ShipmentPlan = plannedShipments(order)[0]!): Promise<ShipmentSummary> {
    const shipmentId = plan.id;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await backoff(attempt);
      const existing = await shipmentStore.getShipment(order.id, shipmentId);
      if (existing?.state === 'CREATED') return summaryOf(existing);

      const created = await carrier.createShipment({
        order,
        fromAddress: fulfillmentSettings.sender(),
        existingTrackingNumber: existing?.trackingNumber,
      });
      const at = now().toISOString();
      if (!existing) {
        const claimed = await shipmentStore.claimShipment({
          orderId: order.id,
          ...(shipmentId !== 'S1' ? { shipmentId } : {}),
          state: 'PENDING',
          trackingNumber: created.trackingNumber,
          carrier: created.carrier,
          service: created.service,
          createdAt: at,
          updatedAt: at,
        });
        if (!claimed) continue; // another attempt claimed first: reuse its number on the next pass
      }

      const labelKeys = {
        pdf: labelKey(order.id, created.trackingNumber, 'pdf'),
        zpl: labelKey(order.id, created.trackingNumber, 'zpl'),
      };
      const store = storage();
      await store.put(labelKeys.pdf, created.labelPdf, labelContentTypes.pdf);
      await store.put(labelKeys.zpl, created.labelZpl, labelContentTypes.zpl);

      const shipment = {
        orderId: order.id,
        ...(shipmentId !== 'S1' ? { shipmentId } : {}),
        state: 'CREATED' as const,
        trackingNumber: created.trackingNumber,
        trackingUrl: created.trackingUrl,
        carrier: created.carrier,
        service: created.service,
        labelKeys,
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
      };
      const firstEvent: TrackingEvent = { at, status: 'LABEL_CREATED', description: defaultDescriptions.LABEL_CREATED };
      const tracking: TrackingItem = {
        trackingNumber: created.trackingNumber,
        orderId: order.id,
        ...(shipmentId !== 'S1' ? { shipmentId } : {}),
        status: 'LABEL_CREATED',
        events: [firstEvent],
        eventKeys: [trackingEventKey(firstEvent)],
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      const result = await shipmentStore.transact(shipmentStore.completeShipmentItems(shipment, tracking));
      if (result.ok) {
        logger.info('Shipment created', { orderId: order.id, shipmentId, trackingNumber: created.trackingNumber, carrier: created.carrier });
        return summaryOf(shipment);
      }
      // A concurrent attempt completed it (the next pass returns that), or the tracking number is taken.
    }
    throw new Error(`Could not create the shipment of order ${order.id} after ${MAX_ATTEMPTS} attempts`);
  }

  /** Appends a tracking event (tracking-events.ts), at this service's clock. */
  const recordTrackingEvent = (trackingNumber: string, event: { at: string; status: TrackingStatus; description?: string }, options: { eventId?: string } = {}) =>
    appendTrackingEvent(trackingNumber, event, options, now);

  /**
   * SHIPPED → DELIVERED for the order, the DELIVERED tracking event and (for webhooks) the event-id marker,
   * all in one transaction: either everything changes or nothing does.
   */
  async function markDelivered(orderId: string, input: MarkDeliveredInput): Promise<Order> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await backoff(attempt);
      const order = await orderStore.get(orderId);
      if (!order) throw new OrderNotFound(orderId);
      if (input.eventId && (await shipmentStore.webhookEventSeen(input.eventId))) throw new DuplicateCarrierEvent(input.eventId);
      const receivedAt = now();
      const items = order.shipments?.length ? await shipmentDeliveryItems(order, input, receivedAt) : await legacyDeliveryItems(order, input, receivedAt);
      const markerIndex = items.length;
      if (input.eventId) {
        items.push(shipmentStore.webhookEventPut(input.eventId, { trackingNumber: input.trackingNumber ?? order.shipment?.trackingNumber ?? '', status: 'DELIVERED' }, receivedAt));
      }
      const result = await shipmentStore.transact(items);
      if (result.ok) {
        logger.info('Shipment delivered', { orderId, shipmentId: input.shipmentId, actor: input.actor });
        countMetric('OrdersDelivered', { by: input.eventId ? 'carrier' : 'admin' });
        const delivered = await orderStore.get(orderId);
        return delivered!;
      }
      if (input.eventId && result.failed.includes(markerIndex)) throw new DuplicateCarrierEvent(input.eventId);
      // The order or tracking record changed meanwhile: re-read (a delivered order then gives OrderNotShipped).
    }
    throw new Error(`Could not mark order ${orderId} delivered: too much contention`);
  }

  /** The DELIVERED tracking event of a tracking number, when its record exists and lacks it. */
  async function deliveredTrackingItem(trackingNumber: string | undefined, input: MarkDeliveredInput, receivedAt: Date): Promise<TransactItem | undefined> {
    const tracking = trackingNumber ? await shipmentStore.getTracking(trackingNumber) : undefined;
    if (!tracking) return undefined;
    const event: TrackingEvent = { at: input.at, status: 'DELIVERED', description: input.description ?? defaultDescriptions.DELIVERED };
    const next = applyTrackingEvent(tracking, event, trackingEventKey(event));
    return next ? shipmentStore.trackingUpdate(tracking.trackingNumber, tracking.version, next, receivedAt.toISOString()) : undefined;
  }

  /**
   * Orders with `shipments`: the named shipment (or, without one, every shipped one of a SHIPPED order)
   * becomes DELIVERED; the order becomes DELIVERED when every shipment is. Conditioned on the order's version.
   */
  async function shipmentDeliveryItems(order: Order, input: MarkDeliveredInput, receivedAt: Date): Promise<TransactItem[]> {
    const shipments = order.shipments!;
    if (!input.shipmentId && order.status !== 'SHIPPED') throw new OrderNotShipped(order.id, order.status);
    const targets = shipments.filter((s) => (input.shipmentId ? s.id === input.shipmentId : !isDelivered(s)));
    if (!targets.length || targets.some((s) => s.status !== 'SHIPPED')) throw new OrderNotShipped(order.id, order.status);
    const allDelivered = shipments.every((s) => isDelivered(s) || targets.includes(s));
    const at = receivedAt.toISOString();
    const s1 = targets.some((s) => s.id === 'S1') && order.shipment;
    const reason = input.shipmentId && shipments.length > 1 ? `${input.reason} (shipment ${input.shipmentId})` : input.reason;
    let update: UpdateParams = allDelivered
      ? (orderStore.transitionUpdate(order.id, 'DELIVERED', { actor: input.actor, reason }, { from: ['SHIPPED'], at, set: s1 ? { shipment: { ...order.shipment!, deliveredAt: input.at } } : {} }) as UpdateParams)
      : shipmentOnlyUpdate(order.id, { status: order.status, actor: input.actor, reason, at, ...(s1 ? { shipmentS1: { deliveredAt: input.at } } : {}) });
    for (const target of targets) {
      update = withShipmentChange(update, { index: shipments.indexOf(target), id: target.id }, { status: 'DELIVERED', deliveredAt: input.at }, order.version);
    }
    const items: TransactItem[] = [{ Update: update }];
    for (const target of targets) {
      const tracking = await deliveredTrackingItem(target.trackingNumber, input, receivedAt);
      if (tracking) items.push(tracking);
    }
    return items;
  }

  /** Orders labelled before split shipments: SHIPPED → DELIVERED with the `shipment` summary. */
  async function legacyDeliveryItems(order: Order, input: MarkDeliveredInput, receivedAt: Date): Promise<TransactItem[]> {
    const orderId = order.id;
    if (order.status !== 'SHIPPED') throw new OrderNotShipped(orderId, order.status);
    const shipmentItem = order.shipment ? undefined : await shipmentStore.getShipment(orderId);
    const shipment: ShipmentSummary | undefined = order.shipment ?? (shipmentItem && summaryOf(shipmentItem));
    const items: TransactItem[] = [
      {
        Update: orderStore.transitionUpdate(
          orderId,
          'DELIVERED',
          { actor: input.actor, reason: input.reason },
          { from: ['SHIPPED'], at: receivedAt.toISOString(), set: shipment ? { shipment: { ...shipment, deliveredAt: input.at } } : {} },
        ),
      },
    ];
    const tracking = await deliveredTrackingItem(shipment?.trackingNumber, input, receivedAt);
    if (tracking) items.push(tracking);
    else logger.warn('Delivered order has no tracking record to update', { orderId });
    return items;
  }

  /** A verified carrier webhook event: DELIVERED delivers the order; other statuses append a tracking event. */
  async function handleCarrierEvent(event: CarrierEvent): Promise<TrackingEventResult> {
    const tracking = await shipmentStore.getTracking(event.trackingNumber);
    if (!tracking) throw new TrackingNotFound(event.trackingNumber);
    tagOrder(tracking.orderId);
    if (await shipmentStore.webhookEventSeen(event.eventId)) return { duplicate: true, status: tracking.status };
    if (event.status === 'DELIVERED') {
      try {
        if (tracking.returnId) {
          const arrived = await returnArrived(tracking.orderId, tracking.returnId, { at: event.occurredAt, eventId: event.eventId });
          if (arrived) await recordTrackingEvent(event.trackingNumber, { at: event.occurredAt, status: 'DELIVERED', description: event.description }, { eventId: event.eventId });
          return { duplicate: !arrived, status: 'DELIVERED' };
        }
        // Already delivered (marked by hand, or this carrier's other event id): nothing to change, and a 2xx so
        // the carrier stops retrying (a 409 here was retried for as long as the carrier retries).
        if (tracking.status === 'DELIVERED') return { duplicate: true, status: 'DELIVERED' };
        await markDelivered(tracking.orderId, {
          actor: 'carrier',
          shipmentId: tracking.shipmentId ?? 'S1',
          trackingNumber: event.trackingNumber,
          reason: `Carrier reported delivery (event ${event.eventId})`,
          at: event.occurredAt,
          eventId: event.eventId,
          description: event.description,
        });
        return { duplicate: false, status: 'DELIVERED' };
      } catch (error) {
        if (error instanceof DuplicateCarrierEvent) return { duplicate: true, status: 'DELIVERED' };
        // Marked delivered by hand while this event was being applied.
        if (error instanceof OrderNotShipped && (await shipmentStore.getTracking(event.trackingNumber))?.status === 'DELIVERED') return { duplicate: true, status: 'DELIVERED' };
        throw error;
      }
    }
    return recordTrackingEvent(
      event.trackingNumber,
      { at: event.occurredAt, status: event.status, description: event.description },
      { eventId: event.eventId },
    );
  }

  async function getShipment(orderId: string, shipmentId = 'S1'): Promise<ShipmentItem | undefined> {
    return shipmentStore.getShipment(orderId, shipmentId);
  }

  return { carrier, storage, createShipmentForOrder, recordTrackingEvent, markDelivered, handleCarrierEvent, getShipment };
}

export type FulfillmentService = ReturnType<typeof createFulfillmentService>;

let defaultService: FulfillmentService | undefined;
/** The service with the configured carrier (no label renderer) and storage, created on first use (env is read lazily). */
export function fulfillment(): FulfillmentService {
  defaultService ??= createFulfillmentService();
  return defaultService;
}

/**
 * Entry points for the workflow steps. Creating a shipment renders labels, so its entry point lives in
 * ./labelling.ts (the label step's only import of the renderer); this service's default carrier renders none.
 */
export { recordTrackingEvent } from './tracking-events';
export const markDelivered = (orderId: string, input: MarkDeliveredInput) => fulfillment().markDelivered(orderId, input);
