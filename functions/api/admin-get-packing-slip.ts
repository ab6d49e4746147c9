import { api, type ApiResponse } from '../commons/http';
import { notFound } from '../commons/problem';
import { orderStore } from '../adapters/order-store';
import { fulfillmentSettings } from '../fulfillment/settings';
import { renderPackingSlipPdf } from '../fulfillment/packing-slip';

/** GET /admin/orders/{id}/packing-slip: the 4×6 inch packing slip PDF, rendered on request (admins only). */
export const handler = api({ auth: 'admin' }, async ({ params }): Promise<ApiResponse> => {
  const orderId = params.id ?? '';
  const order = /^[A-Za-z0-9_-]{1,64}$/.test(orderId) ? await orderStore.get(orderId) : undefined;
  if (!order) throw notFound(`Order ${orderId} not found.`);
  const pdf = await renderPackingSlipPdf(order, { sender: fulfillmentSettings.sender() });
  const name = order.number !== undefined ? order.number : order.id;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="packing-slip-${name}.pdf"`,
      'cache-control': 'private, no-store',
    },
    body: Buffer.from(pdf).toString('base64'),
    isBase64Encoded: true,
  };
});
