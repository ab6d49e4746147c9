import type { EmailExtra, EmailKind } from '../notifications/emails';
import type { Order, OrderStatus } from '../domain/order';
import { shipmentHasShipped } from '../domain/allocation';
import type { PaymentRecord } from '../payments/payment';
import { formatMoney } from '../domain/money';

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
  /** A business metric, counted from the committed change (low-cardinality dimensions only). */
  | { kind: 'count'; metric: string; dimensions?: Record<string, string> }
  /** A timeline entry for what is not a status change (a refund), once per `event`. */
  | { kind: 'timeline-note'; orderId: string; event: string; actor: string; reason: string };

/** The customer email each status change sends (SPEC.md "Customers hear about every change"). */
export const EMAIL_ON_STATUS: Partial<Record<OrderStatus, EmailKind>> = {
  PAID: 'confirmation',
  SHIPPED: 'shipped',
  DELIVERED: 'delivered',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

export type Image = Record<string, unknown>;

export function effectsOf(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined, oldImage: Image | undefined, newImage: Image | undefined): Effect[] {
  if (!newImage || eventName === 'REMOVE') return [];
  switch (newImage.entity) {
    case 'ORDER':
      return orderEffects(oldImage as unknown as Order | undefined, newImage as unknown as Order);
    case 'PAYMENT':
      return refundEffects(oldImage as unknown as PaymentRecord | undefined, newImage as unknown as PaymentRecord);
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

/** One `refunded` email and one timeline entry (who, how much) per refund the payment record gained. */
function refundEffects(before: PaymentRecord | undefined, after: PaymentRecord): Effect[] {
  const known = new Set((before?.refunds ?? []).map((r) => r.sequence));
  return (after.refunds ?? [])
    .filter((r) => !known.has(r.sequence))
    .flatMap((r): Effect[] => [
      { kind: 'email', orderId: after.orderId, email: 'refunded', event: `refunded-${r.sequence}`, extra: { amount: { amount: r.amount, currency: after.currency } } },
      {
        kind: 'timeline-note',
        orderId: after.orderId,
        event: `refund-${r.sequence}`,
        actor: r.actor,
        reason: `Refunded ${formatMoney({ amount: r.amount, currency: after.currency })} (refund ${r.sequence})`,
      },
    ]);
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
  if (before?.status !== after.status) {
    const email = EMAIL_ON_STATUS[after.status];
    if (email) effects.push({ kind: 'email', orderId: after.id, email });
    if (after.status === 'SHIPPED' && after.shipment?.trackingNumber && after.shipment.shippedAt) {
      effects.push({ kind: 'tracking-shipped', trackingNumber: after.shipment.trackingNumber, at: after.shipment.shippedAt });
    }
    effects.push(...statusMetrics(after));
  }
  if (after.needsAttention && !before?.needsAttention) effects.push({ kind: 'needs-attention', orderId: after.id, reason: after.needsAttention.reason });
  return effects;
}
