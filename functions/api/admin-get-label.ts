import * as z from '../domain/zod';
import { api, json, type ApiResponse } from '../commons/http';
import { notFound } from '../commons/problem';
import { labelContentTypes, type LabelFormat } from '../fulfillment/label-storage';
import { fulfillment } from '../fulfillment/service';

const labelQuery = z.strictObject({ format: z._default(z.enum(['pdf', 'zpl']), 'pdf') });

/**
 * The shipping label of an order, admins only.
 *   S3 (AWS): 302 to a short-lived presigned URL (LABEL_URL_TTL_SECONDS, default 5 min); with
 *   `Accept: application/json` instead 200 `{ url, expiresAt, format }`, for browser apps that cannot
 *   follow a cross-origin redirect with their bearer token.
 *   Local mode: 200 with the file's bytes.
 */
export const handler = api({ auth: 'admin', query: labelQuery }, async ({ params, query, headers }): Promise<ApiResponse> => {
  const orderId = params.id ?? '';
  const format: LabelFormat = query.format;
  const shipment = /^[A-Za-z0-9_-]{1,64}$/.test(orderId) ? await fulfillment().getShipment(orderId) : undefined;
  if (!shipment || shipment.state !== 'CREATED' || !shipment.labelKeys) throw notFound(`Order ${orderId} has no shipping label yet.`);

  const contentType = labelContentTypes[format];
  const filename = `label-${shipment.trackingNumber}.${format}`;
  const delivery = await fulfillment().storage().deliver(shipment.labelKeys[format], contentType, filename);
  if (!delivery) throw notFound(`The ${format} label file of order ${orderId} is missing.`);

  if (delivery.kind === 'url') {
    const body = { url: delivery.url, expiresAt: delivery.expiresAt, format };
    if ((headers.accept ?? '').includes('application/json')) return json(200, body, { 'cache-control': 'no-store' });
    return json(302, body, { location: delivery.url, 'cache-control': 'no-store' });
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `${format === 'pdf' ? 'inline' : 'attachment'}; filename="${filename}"`,
      'cache-control': 'private, no-store',
    },
    body: Buffer.from(delivery.body).toString('base64'),
    isBase64Encoded: true,
  };
});
