import * as z from '../domain/zod';
import { api } from '../commons/http';
import { notFound } from '../commons/problem';
import { orderIdOfReturn } from '../domain/returns';
import { returnsStore } from '../adapters/returns-store';
import { labelResponse } from '../fulfillment/label-response';

const labelQuery = z.strictObject({ format: z._default(z.enum(['pdf', 'zpl']), 'pdf') });

/**
 * GET /orders/{id}/returns/{returnId}/label?format=pdf|zpl: the customer's own return label once the return is
 * approved, served like the admin label routes (fulfillment/label-response.ts: the bytes locally, a presigned
 * URL on AWS). Another customer's return, a return of another order, or one without a label is a 404 that
 * reveals nothing. Reads the return record only (no order, no payments): the route's grants stay `labels`.
 */
export const handler = api({ auth: 'customer', query: labelQuery }, async ({ params, query, headers, principal }) => {
  const orderId = params.id ?? '';
  const returnId = params.returnId ?? '';
  const missing = () => notFound(`Order ${orderId.slice(0, 64)} has no return ${returnId.slice(0, 80)} with a label.`);
  if (orderIdOfReturn(returnId) !== orderId) throw missing();
  const r = await returnsStore.get(orderId, returnId);
  if (!r || r.userId !== principal!.userId || !r.labelKeys || !r.trackingNumber || r.status === 'REQUESTED' || r.status === 'REJECTED') throw missing();
  return labelResponse({ keys: r.labelKeys, trackingNumber: r.trackingNumber, what: `return ${r.id}` }, query.format, headers);
});
