import type { EmailExtra, EmailKind } from '../notifications/emails';
import type { Order, OrderStatus } from '../domain/order';
import { shipmentHasShipped } from '../domain/allocation';
import type { PaymentRecord } from '../payments/payment';
import { formatMoney } from '../domain/money';
import type { ReturnRecord, ReturnStatus } from '../domain/returns';
import { returnLabelUrl } from '../returns/views';
import { eventsOf, type IntegrationEvent, type PendingEvent } from '../webhooks/events';

/**
 * The transactional outbox, read from the table's change stream: which side effect each committed change
 * causes. Pure: the consumer (functions/stream/outbox-consumer.ts) carries them out, idempotently.
 */
export type Effect =
  | { kind: 'start-workflow'; orderId: string }
  /** `event` names the event when a kind can happen more than once per order (refund 1, refund 2, …). */
  | { kind: 'email'; orderId: string; email: EmailKind; event?: string; extra?: EmailExtra }
  | { kind: 'record-movements'; orderId: string; before?: Order; after: Order }
  | { kind: 'publish-alert'; alertId: string }
  | { kind: 'check-low-stock'; sku: string }
  | { kind: 'needs-attention'; orderId: string; reason: string }
  /** Public tracking shows SHIPPED once the order is: idempotent by (status, time). */
  | { kind: 'tracking-shipped'; trackingNumber: string; at: string }
  /**
   * Sandbox only: what Stripe's test cards do a few seconds later (pm_card_refundFail: the refund fails;
   * pm_card_createDispute: the capture is disputed), emitted as the same event the Stripe webhook handles.
   */
  | { kind: 'sandbox-later'; intentId: string; what: 'refund-fails' | 'disputed'; idempotencyKey?: string; at: string }
  /** A business metric, counted from the committed change (low-cardinality dimensions only). */
  | { kind: 'count'; metric: string; dimensions?: Record<string, string> }
  /** A timeline entry for what is not a status change (a refund), once per `event`. */
  | { kind: 'timeline-note'; orderId: string; event: string; actor: string; reason: string }
  /** An event for integrators (functions/webhooks/events.ts): numbered per order and fanned out to webhooks. */
  | { kind: 'integration-event'; event: PendingEvent }
  /** A numbered event onto the EventBridge bus (a file locally), straight from its stream image. */
  | { kind: 'event-bus'; event: IntegrationEvent };

/** The customer email each status change sends (SPEC.md "Customers hear about every change"). */
export const EMAIL_ON_STATUS: Partial<Record<OrderStatus, EmailKind>> = {
  /** 3-D Secure: the link where the customer confirms the payment (from order.payment.nextAction). */
  PAYMENT_ACTION_REQUIRED: 'action-required',
  PAID: 'confirmation',
  SHIPPED: 'shipped',
  DELIVERED: 'delivered',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

export type Image = Record<string, unknown>;

export function effectsOf(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined, oldImage: Image | undefined, newImage: Image | undefined): Effect[] {
  return [...coreEffects(eventName, oldImage, newImage), ...integrationEffects(eventName, oldImage, newImage)];
}

/** Events for integrators (webhooks, the event bus), after the change's own effects. */
function integrationEffects(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined, oldImage: Image | undefined, newImage: Image | undefined): Effect[] {
  if (eventName === 'INSERT' && newImage?.entity === 'INTEGRATION_EVENT') {
    const { eventId, type, createdAt, orderId, sequence, data } = newImage as Record<string, never>;
    return [{ kind: 'event-bus', event: { id: eventId, type, createdAt, ...(orderId ? { orderId } : {}), sequence: Number(sequence), data } }];
  }
  return eventsOf(eventName, oldImage, newImage).map((event) => ({ kind: 'integration-event', event }));
}

function coreEffects(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined, oldImage: Image | undefined, newImage: Image | undefined): Effect[] {
  if (!newImage || eventName === 'REMOVE') return [];
  switch (newImage.entity) {
    case 'ORDER':
      return orderEffects(oldImage as unknown as Order | undefined, newImage as unknown as Order);
    case 'RETURN':
      return returnEffects(oldImage as unknown as ReturnRecord | undefined, newImage as unknown as ReturnRecord);
    case 'PAYMENT':
      return refundEffects(oldImage as unknown as PaymentRecord | undefined, newImage as unknown as PaymentRecord);
    case 'SANDBOX_INTENT':
      return sandboxLater(oldImage, newImage);
    case 'ALERT':
      return eventName === 'INSERT' ? [{ kind: 'publish-alert', alertId: String(newImage.id) }] : [];
    case 'INVENTORY': {
      // Stock went to or below the threshold while the alert is armed: the crossing check runs from
      // committed stock, so an alert is never lost to a crash between a reservation and its check.
      const available = Number(newImage.available);
      const crossed = newImage.lowAlertArmed === true && available <= Number(newImage.lowStockThreshold);
      const wentDown = oldImage === undefined || available < Number(oldImage.available);
      return crossed && wentDown ? [{ kind: 'check-low-stock', sku: String(newImage.sku ?? String(newImage.pk).replace(/^PRODUCT#/, '')) }] : [];
    }
    case 'LOCATION_STOCK': {
      // Stock at a location other than MAIN went down: the SKU's total may have crossed its threshold (the
      // check reads the flag first, so a SKU not armed costs one read).
      const wentDown = oldImage === undefined || Number(newImage.available) < Number(oldImage.available);
      return wentDown ? [{ kind: 'check-low-stock', sku: String(newImage.sku) }] : [];
    }
    default:
      return [];
  }
}

/** Sandbox test cards that misbehave later (functions/adapters/payments/sandbox-gateway.ts SANDBOX_LATER). */
function sandboxLater(before: Image | undefined, after: Image): Effect[] {
  const intentId = String(after.id);
  type Event = { type: string; idempotencyKey: string; at: string };
  if (after.paymentMethod === 'pm_card_refundFail') {
    const seen = new Set(((before?.events as Event[] | undefined) ?? []).map((e) => `${e.type}:${e.idempotencyKey}`));
    return ((after.events as Event[] | undefined) ?? [])
      .filter((e) => e.type === 'refunded' && !seen.has(`${e.type}:${e.idempotencyKey}`))
      .map((e) => ({ kind: 'sandbox-later', intentId, what: 'refund-fails', idempotencyKey: e.idempotencyKey, at: e.at }));
  }
  if (after.paymentMethod === 'pm_card_createDispute' && after.status === 'succeeded' && before?.status !== 'succeeded') {
    const captured = ((after.events as Event[] | undefined) ?? []).find((e) => e.type === 'captured');
    return [{ kind: 'sandbox-later', intentId, what: 'disputed', at: captured?.at ?? new Date().toISOString() }];
  }
  return [];
}

/** One `refunded` email and one timeline entry (who, how much) per refund the payment record gained. */
function refundEffects(before: PaymentRecord | undefined, after: PaymentRecord): Effect[] {
  const known = new Set((before?.refunds ?? []).map((r) => r.sequence));
  return (after.refunds ?? [])
    // A refund reported failed before it was even recorded never reached the customer: no email, no note.
    .filter((r) => !known.has(r.sequence) && !r.failedAt)
    .flatMap((r): Effect[] => [
      // A return's refund is told by its own email (return-refunded, from the RETURN change).
      ...(r.actor?.startsWith('return:')
        ? []
        : [{ kind: 'email' as const, orderId: after.orderId, email: 'refunded' as const, event: `refunded-${r.sequence}`, extra: { amount: { amount: r.amount, currency: after.currency } } }]),
      {
        kind: 'timeline-note',
        orderId: after.orderId,
        event: `refund-${r.sequence}`,
        actor: r.actor,
        reason: `Refunded ${formatMoney({ amount: r.amount, currency: after.currency })} (refund ${r.sequence})`,
      },
    ]);
}

/** The customer email of each return step, once per (return, status). */
export const EMAIL_ON_RETURN: Record<ReturnStatus, EmailKind> = {
  REQUESTED: 'return-requested',
  APPROVED: 'return-approved',
  REJECTED: 'return-rejected',
  RECEIVED: 'return-received',
  REFUNDED: 'return-refunded',
};

function returnEffects(before: ReturnRecord | undefined, after: ReturnRecord): Effect[] {
  if (before?.status === after.status) return [];
  const details = {
    id: after.id,
    items: (after.status === 'RECEIVED' || after.status === 'REFUNDED') && after.received ? after.received : after.items.map(({ sku, quantity, reason }) => ({ sku, quantity, ...(reason ? { reason } : {}) })),
    ...(after.rejectionReason ? { reason: after.rejectionReason } : {}),
    ...(after.trackingNumber && after.status === 'APPROVED' ? { trackingNumber: after.trackingNumber, labelUrl: returnLabelUrl(after) } : {}),
    ...(after.refund && after.status === 'REFUNDED' ? { amount: after.refund } : {}),
  };
  return [
    { kind: 'email', orderId: after.orderId, email: EMAIL_ON_RETURN[after.status], event: `return-${after.id}-${after.status}`, extra: { return: details } },
    { kind: 'count', metric: 'Returns', dimensions: { status: after.status } },
  ];
}

/**
 * A split order's shipments each tell the customer when they leave (one email per shipment, by its id) and
 * mark their tracking record SHIPPED; a single-shipment order keeps the one status email.
 */
function shipmentEffects(before: Order | undefined, after: Order): Effect[] {
  const shipments = after.shipments ?? [];
  if (shipments.length < 2) return [];
  return shipments.flatMap((s): Effect[] => {
    const was = before?.shipments?.find((b) => b.id === s.id);
    if (!s.shippedAt || was?.shippedAt) return [];
    return [
      { kind: 'email', orderId: after.id, email: 'shipped', event: `shipped-${s.id}`, extra: { shipment: { id: s.id, of: shipments.length, trackingNumber: s.trackingNumber, trackingUrl: s.trackingUrl, carrier: s.carrier, lines: s.lines } } },
      ...(s.trackingNumber ? [{ kind: 'tracking-shipped' as const, trackingNumber: s.trackingNumber, at: s.shippedAt }] : []),
    ];
  });
}

/** Orders paid, shipped, cancelled (by whom) and failed (why), and declines by code. */
function statusMetrics(after: Order): Effect[] {
  switch (after.status) {
    case 'PAID':
      return [{ kind: 'count', metric: 'OrdersPaid' }];
    case 'SHIPPED':
      return [{ kind: 'count', metric: 'OrdersShipped' }];
    case 'CANCELLED':
      return [{ kind: 'count', metric: 'OrdersCancelled', dimensions: { by: after.timeline?.at(-1)?.actor?.startsWith('admin:') ? 'admin' : 'customer' } }];
    case 'FAILED': {
      const reason = after.failureReason ?? 'UNKNOWN';
      const failed: Effect[] = [{ kind: 'count', metric: 'OrdersFailed', dimensions: { reason } }];
      if (reason === 'PAYMENT_DECLINED') failed.push({ kind: 'count', metric: 'PaymentDeclines', dimensions: { code: after.payment?.declineCode ?? 'card_declined' } });
      return failed;
    }
    default:
      return [];
  }
}

function orderEffects(before: Order | undefined, after: Order): Effect[] {
  // The inventory ledger follows every stock change of the order (reservation, release, shipment).
  // A shipment of a split order shipping on its own moves stock too (functions/domain/ledger.ts).
  const shipped = (order: Order | undefined) => (order?.shipments ?? []).filter(shipmentHasShipped).map((s) => s.id).join();
  const stockMoved = (before?.stock ?? 'NONE') !== (after.stock ?? 'NONE') || shipped(before) !== shipped(after);
  const effects: Effect[] = stockMoved ? [{ kind: 'record-movements', orderId: after.id, before, after }] : [];
  if (!before && after.status === 'PENDING') effects.push({ kind: 'start-workflow', orderId: after.id });
  const split = (after.shipments?.length ?? 0) > 1;
  effects.push(...shipmentEffects(before, after));
  if (before?.status !== after.status) {
    const email = EMAIL_ON_STATUS[after.status];
    // A split order's shipped emails are per shipment (above).
    if (email && !(split && after.status === 'SHIPPED')) effects.push({ kind: 'email', orderId: after.id, email });
    if (!split && after.status === 'SHIPPED' && after.shipment?.trackingNumber && after.shipment.shippedAt) {
      effects.push({ kind: 'tracking-shipped', trackingNumber: after.shipment.trackingNumber, at: after.shipment.shippedAt });
    }
    effects.push(...statusMetrics(after));
  }
  if (after.needsAttention && (!before?.needsAttention || before.needsAttention.kind !== after.needsAttention.kind)) {
    // Payment kinds (dispute, failed refund, expiring authorization) page through PaymentAttention, not as a failed compensation.
    const kind = after.needsAttention.kind;
    effects.push(kind ? { kind: 'count', metric: 'PaymentAttention', dimensions: { kind } } : { kind: 'needs-attention', orderId: after.id, reason: after.needsAttention.reason });
  }
  return effects;
}
