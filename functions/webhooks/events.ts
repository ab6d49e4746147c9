import { createHash } from 'node:crypto';
import type { Order } from '../domain/order';
import type { PaymentRecord } from '../payments/payment';
import type { ReturnRecord } from '../domain/returns';

/**
 * Events for integrators (SPEC.md "Events for integrators"), derived purely from committed changes read off
 * the table's change stream: the outbox decides which events a change causes, the event store gives each a
 * per-order `sequence` (functions/adapters/event-store.ts). Pure: no AWS here.
 *
 * Events never store personal data. `data` holds what every subscriber may see; a subscription with the
 * `contact` scope gets the customer's contact details and the shipping address added at delivery time, read
 * from the order as it is then (so an erased customer's data is never re-sent from an old event).
 */
export const EVENT_TYPES = [
  'order.placed',
  'order.paid',
  'order.payment_action_required',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.failed',
  'order.refunded',
  'inventory.low_stock',
  'return.requested',
  'return.approved',
  'return.rejected',
  'return.received',
  'return.refunded',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What a subscription may see: `basic` has no personal data; `contact` adds name, email, phone, address. */
export const EVENT_SCOPES = ['basic', 'contact'] as const;
export type EventScope = (typeof EVENT_SCOPES)[number];

/** One event as it is delivered: `{ id, type, createdAt, orderId?, sequence, data }`. */
export interface IntegrationEvent {
  id: string;
  type: EventType;
  createdAt: string;
  orderId?: string;
  sequence: number;
  data: Record<string, unknown>;
}

/** An event before the store numbers it. `stream` is what `sequence` counts in: `order:<id>` or `product:<sku>`. */
export interface PendingEvent {
  id: string;
  type: EventType;
  stream: string;
  createdAt: string;
  orderId?: string;
  data: Record<string, unknown>;
}

/** The same cause always gives the same id, so a redelivered stream record cannot create a second event. */
export function eventId(stream: string, cause: string): string {
  return `evt_${createHash('sha256').update(`${stream}|${cause}`).digest('hex').slice(0, 32)}`;
}

const STATUS_EVENTS: Record<string, EventType> = {
  PAID: 'order.paid',
  // Added by the 3-D Secure work; matched by name so the event exists once that status does.
  PAYMENT_ACTION_REQUIRED: 'order.payment_action_required',
  DELIVERED: 'order.delivered',
  CANCELLED: 'order.cancelled',
  FAILED: 'order.failed',
};

type ShipmentLike = { trackingNumber?: string; trackingUrl?: string; carrier?: string; service?: string; shippedAt?: string; items?: unknown };

/** Every shipment of an order: the single `shipment` of today, or a `shipments` list (split shipments). */
function shipmentsOf(order: Order | undefined): ShipmentLike[] {
  if (!order) return [];
  const list = (order as unknown as { shipments?: ShipmentLike[] }).shipments;
  if (Array.isArray(list)) return list;
  return order.shipment ? [order.shipment] : [];
}

/** What every subscriber sees of an order: no name, email, phone or address (the country only). */
export function orderData(order: Order): Record<string, unknown> {
  return {
    ...(order.number !== undefined ? { number: order.number } : {}),
    status: order.status,
    ...(order.failureReason ? { failureReason: order.failureReason } : {}),
    items: (order.items ?? []).map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, lineTotal: l.lineTotal })),
    total: order.total,
    ...(order.shippingAddress?.country ? { shippingCountry: order.shippingAddress.country } : {}),
  };
}

/** The personal data a `contact` subscription gets on top, from the order as it is at delivery time. */
export function contactData(order: Pick<Order, 'customer' | 'shippingAddress'>): Record<string, unknown> {
  return { customer: order.customer, shippingAddress: order.shippingAddress };
}

export function orderEvents(before: Order | undefined, after: Order): PendingEvent[] {
  const at = after.updatedAt ?? after.createdAt;
  const make = orderEventMaker(after);
  const events: PendingEvent[] = [];
  if (!before) events.push(make('order.placed', 'placed', after.createdAt ?? at));
  // Shipped, per shipment: each shipment that gained its shippedAt in this change.
  const shippedBefore = new Set(shipmentsOf(before).filter((s) => s.shippedAt).map((s) => s.trackingNumber));
  for (const shipment of shipmentsOf(after)) {
    if (!shipment.shippedAt || !shipment.trackingNumber || shippedBefore.has(shipment.trackingNumber)) continue;
    events.push(shippedEvent(make, shipment));
  }
  if (before && before.status !== after.status) {
    const type = STATUS_EVENTS[after.status];
    const log = after.statusLog ?? [];
    // Named by the transition's place in the status log (this change appended it), so the reconciler can
    // name it too; an order from before the log existed keeps the version (a status that can recur, 3-D
    // Secure asked again, is a new event each time either way).
    if (type) events.push(make(type, log.length && log.at(-1)!.status === after.status ? statusCause(type, log.length - 1) : `${type}#v${after.version}`, at));
  }
  return events;
}

const statusCause = (type: EventType, n: number) => `${type}#s${n}`;

function orderEventMaker(order: Order) {
  const stream = `order:${order.id}`;
  return (type: EventType, cause: string, createdAt: string, extra: Record<string, unknown> = {}): PendingEvent => ({
    id: eventId(stream, cause),
    type,
    stream,
    createdAt,
    orderId: order.id,
    data: { ...orderData(order), ...extra },
  });
}

function shippedEvent(make: ReturnType<typeof orderEventMaker>, shipment: ShipmentLike): PendingEvent {
  return make('order.shipped', `shipped:${shipment.trackingNumber}`, shipment.shippedAt!, {
    shipment: { trackingNumber: shipment.trackingNumber, trackingUrl: shipment.trackingUrl, carrier: shipment.carrier, service: shipment.service, shippedAt: shipment.shippedAt, ...(shipment.items ? { items: shipment.items } : {}) },
  });
}

/**
 * Every event an order's own changes have caused so far, in the order they happened, with the ids the
 * outbox gives them (`orderEvents`): placed, each shipment shipped, and each status transition in the status
 * log. The reconciler appends the ones that do not exist (their stream record was dead-lettered); a repaired
 * event's `data` is the order as it is now, with the status of its transition. Transitions made before the
 * status log existed are not known here.
 */
export function expectedOrderEvents(order: Order): PendingEvent[] {
  const make = orderEventMaker(order);
  const events: PendingEvent[] = [make('order.placed', 'placed', order.createdAt)];
  for (const shipment of shipmentsOf(order)) {
    if (shipment.shippedAt && shipment.trackingNumber) events.push(shippedEvent(make, shipment));
  }
  const log = order.statusLog ?? [];
  log.forEach((entry, n) => {
    const type = STATUS_EVENTS[entry.status];
    // The outbox names a transition only when the status changed (a repeat of the same status is none).
    const previous = n === 0 ? order.timeline?.[0]?.status : log[n - 1].status;
    if (type && previous !== entry.status) {
      const event = make(type, statusCause(type, n), entry.at);
      events.push({ ...event, data: { ...event.data, status: entry.status } });
    }
  });
  // Stable: the placed event first, then by when each happened.
  return [events[0], ...events.slice(1).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))];
}

/**
 * The events an order's payment record and returns have caused so far (their stream records are not the
 * order's): one `order.refunded` per refund, one `return.*` per status each return reached, with the ids
 * `refundEvents` and `returnEvents` give them. A repaired return event's `data` is the return as it is now.
 */
export function expectedRecordEvents(payment: PaymentRecord | undefined, returns: readonly ReturnRecord[]): PendingEvent[] {
  const events = payment ? refundEvents(undefined, payment) : [];
  for (const r of returns) {
    const reached = [...new Map(r.timeline.map((t) => [t.status, t.at])).entries()];
    for (const [status, at] of reached) {
      const other = status === 'REQUESTED' ? undefined : ({ ...r, status: 'REQUESTED' } as ReturnRecord);
      for (const event of returnEvents(other, { ...r, status, updatedAt: at })) {
        const data = event.data.return as Record<string, unknown>;
        events.push({ ...event, createdAt: at, data: { return: { ...data, status } } });
      }
    }
  }
  return events;
}

/** One `order.refunded` per refund the payment record gained (one recorded as already failed is no refund). */
export function refundEvents(before: PaymentRecord | undefined, after: PaymentRecord): PendingEvent[] {
  const known = new Set((before?.refunds ?? []).map((r) => r.sequence));
  const stream = `order:${after.orderId}`;
  return (after.refunds ?? [])
    .filter((r) => !known.has(r.sequence) && !r.failedAt)
    .map((r) => ({
      id: eventId(stream, `refunded:${r.sequence}`),
      type: 'order.refunded' as const,
      stream,
      createdAt: r.at,
      orderId: after.orderId,
      data: { refund: { sequence: r.sequence, amount: { amount: r.amount, currency: after.currency } }, amountRefunded: { amount: after.amountRefunded, currency: after.currency } },
    }));
}

/** A low-stock alert stored (entity ALERT): one `inventory.low_stock` per alert, counted per SKU. */
export function lowStockEvent(alert: Record<string, unknown>): PendingEvent {
  const sku = String(alert.sku);
  const stream = `product:${sku}`;
  return {
    id: eventId(stream, `low-stock:${String(alert.id)}`),
    type: 'inventory.low_stock',
    stream,
    createdAt: String(alert.createdAt),
    data: { sku, available: alert.available, threshold: alert.threshold, ...(alert.daysOfCover !== undefined ? { daysOfCover: alert.daysOfCover } : {}) },
  };
}

/**
 * A return's status changes, one event each (`return.requested` when it is created), in its order's
 * sequence. What is returned, never who: the customer's data stays behind the `contact` scope of the order.
 */
export function returnEvents(before: ReturnRecord | undefined, after: ReturnRecord): PendingEvent[] {
  if (before?.status === after.status) return [];
  const type = `return.${after.status.toLowerCase()}` as EventType;
  if (!EVENT_TYPES.includes(type)) return [];
  const stream = `order:${after.orderId}`;
  return [{
    id: eventId(stream, `return:${after.id}:${after.status}`),
    type,
    stream,
    createdAt: after.updatedAt ?? after.createdAt,
    orderId: after.orderId,
    data: {
      return: {
        id: after.id,
        status: after.status,
        location: after.location,
        items: after.items.map((l) => ({ sku: l.sku, quantity: l.quantity, shipmentId: l.shipmentId })),
        ...(after.received ? { received: after.received.map((l) => ({ sku: l.sku, quantity: l.quantity, disposition: l.disposition })) } : {}),
        ...(after.refund ? { refund: after.refund } : {}),
        ...(after.trackingNumber ? { trackingNumber: after.trackingNumber } : {}),
      },
    },
  }];
}

type Image = Record<string, unknown>;

/** The events a committed change causes (the outbox, functions/outbox/effects.ts, turns each into an effect). */
export function eventsOf(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined, oldImage: Image | undefined, newImage: Image | undefined): PendingEvent[] {
  if (!newImage || eventName === 'REMOVE') return [];
  switch (newImage.entity) {
    case 'ORDER':
      return orderEvents(oldImage as unknown as Order | undefined, newImage as unknown as Order);
    case 'PAYMENT':
      return refundEvents(oldImage as unknown as PaymentRecord | undefined, newImage as unknown as PaymentRecord);
    case 'ALERT':
      return eventName === 'INSERT' && newImage.sku ? [lowStockEvent(newImage)] : [];
    case 'RETURN':
      return returnEvents(oldImage as unknown as ReturnRecord | undefined, newImage as unknown as ReturnRecord);
    default:
      return [];
  }
}
