import { config } from '../commons/config';
import type { ReturnRecord } from '../domain/returns';

/** Where the customer downloads a return's label (GET /orders/{id}/returns/{returnId}/label, customer auth). */
export const returnLabelUrl = (r: Pick<ReturnRecord, 'id' | 'orderId'>) =>
  `${config.apiBaseUrl()}/orders/${encodeURIComponent(r.orderId)}/returns/${encodeURIComponent(r.id)}/label`;

/** A label the customer may download: approved (or later) with its files stored. */
const hasCustomerLabel = (r: ReturnRecord) => Boolean(r.labelKeys && r.trackingNumber) && r.status !== 'REQUESTED' && r.status !== 'REJECTED';

/** What the customer sees of a return (no label keys or internal ids). */
export function customerReturnView(r: ReturnRecord) {
  return {
    id: r.id,
    orderId: r.orderId,
    status: r.status,
    items: r.items.map(({ sku, quantity, reason }) => ({ sku, quantity, ...(reason ? { reason } : {}) })),
    ...(r.trackingNumber && r.status !== 'REQUESTED' ? { trackingNumber: r.trackingNumber, trackingUrl: r.trackingUrl } : {}),
    ...(hasCustomerLabel(r) ? { labelUrl: returnLabelUrl(r) } : {}),
    ...(r.rejectionReason ? { rejectionReason: r.rejectionReason } : {}),
    ...(r.received ? { received: r.received.map(({ sku, quantity, disposition }) => ({ sku, quantity, disposition })) } : {}),
    ...(r.refund ? { refund: r.refund } : {}),
    timeline: r.timeline.map(({ at, status, reason }) => ({ at, status, reason })),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The admin's view: everything but storage keys; `hasLabel` says whether GET …/label serves one. */
export function adminReturnView(r: ReturnRecord) {
  const { labelKeys, ...rest } = r;
  return { ...rest, hasLabel: Boolean(labelKeys) };
}
