/**
 * Returns (SPEC.md "Returns"): REQUESTED → APPROVED (a return label to the shipment's location) or
 * REJECTED; APPROVED → RECEIVED (a disposition per line) → REFUNDED (the received lines' amount). Pure.
 */
export const RETURN_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
export const DISPOSITIONS = ['restock', 'scrap'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface ReturnLine {
  sku: string;
  quantity: number;
  reason?: string;
  /** The shipment the units came in (one location per return). */
  shipmentId: string;
}

export interface ReceivedLine {
  sku: string;
  shipmentId: string;
  quantity: number;
  disposition: Disposition;
}

export interface ReturnRecord {
  id: string;
  orderId: string;
  userId: string;
  status: ReturnStatus;
  /** Where the parcel goes back to (the shipments' location), and where restocked units return. */
  location: string;
  items: ReturnLine[];
  rejectionReason?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  labelKeys?: { pdf: string; zpl: string };
  /** When the carrier reported the return parcel delivered to the location. */
  arrivedAt?: string;
  received?: ReceivedLine[];
  refund?: { amount: number; currency: string };
  refundedAt?: string;
  timeline: { at: string; status: ReturnStatus; actor: string; reason: string }[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Return ids carry their order id (`<orderId>-R<8 hex>`), so a return is found by its id alone. */
export const RETURN_ID = /^([A-Za-z0-9_-]{1,53})-R[0-9A-F]{8}$/;
export const orderIdOfReturn = (id: string): string | undefined => RETURN_ID.exec(id)?.[1];

/**
 * Received units assigned to the return's lines (first fit), or the SKU received beyond what was requested.
 */
export function assignReceived(
  items: ReturnLine[],
  received: { sku: string; quantity: number; disposition: Disposition }[],
): ReceivedLine[] | { exceeds: string } {
  const left = items.map((l) => ({ ...l }));
  const out: ReceivedLine[] = [];
  for (const r of received) {
    let need = r.quantity;
    for (const line of left.filter((l) => l.sku === r.sku)) {
      const take = Math.min(need, line.quantity);
      if (take <= 0) continue;
      out.push({ sku: r.sku, shipmentId: line.shipmentId, quantity: take, disposition: r.disposition });
      line.quantity -= take;
      need -= take;
    }
    if (need > 0) return { exceeds: r.sku };
  }
  return out;
}

/** What requested units did not arrive: given back to the counters at receipt. */
export function unreceived(items: ReturnLine[], received: ReceivedLine[]): { shipmentId: string; sku: string; quantity: number }[] {
  return items.map((l) => ({
    shipmentId: l.shipmentId,
    sku: l.sku,
    quantity: l.quantity - received.filter((r) => r.sku === l.sku && r.shipmentId === l.shipmentId).reduce((n, r) => n + r.quantity, 0),
  }));
}

/** The refund of the received lines at the prices the order was charged. */
export function refundFor(received: ReceivedLine[], unitPrices: Map<string, number>): number {
  return received.reduce((sum, r) => sum + (unitPrices.get(r.sku) ?? 0) * r.quantity, 0);
}
