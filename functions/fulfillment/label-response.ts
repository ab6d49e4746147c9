import { json, type ApiResponse } from '../commons/http';
import { notFound } from '../commons/problem';
import { labelContentTypes, type LabelFormat } from './label-storage';
import { labelStorage } from './label-stores';

/**
 * A stored label as the admin label routes answer it.
 *   S3 (AWS): 302 to a short-lived presigned URL (LABEL_URL_TTL_SECONDS, default 5 min); with
 *   `Accept: application/json` instead 200 `{ url, expiresAt, format }`, for browser apps that cannot
 *   follow a cross-origin redirect with their bearer token.
 *   Local mode: 200 with the file's bytes.
 */
export async function labelResponse(
  label: { keys: { pdf: string; zpl: string }; trackingNumber: string; what: string },
  format: LabelFormat,
  headers: Record<string, string | undefined>,
): Promise<ApiResponse> {
  const contentType = labelContentTypes[format];
  const filename = `label-${label.trackingNumber}.${format}`;
  const delivery = await labelStorage().deliver(label.keys[format], contentType, filename);
  if (!delivery) throw notFound(`The ${format} label file of ${label.what} is missing.`);
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
}
