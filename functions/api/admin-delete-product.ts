import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { notFound } from '../commons/problem';
import { productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { adminProductView } from '../catalog/views';

/** 204 when deleted; 200 with the deactivated product when open orders still hold its stock. */
export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  const sku = params.sku!;
  const outcome = await productStore.deleteOrDeactivate(sku);
  if (outcome === 'not-found') throw notFound(`Product ${sku} was not found.`);
  await auditAdminAction(principal, outcome === 'deleted' ? 'product.delete' : 'product.deactivate', `product:${sku}`);
  if (outcome === 'deleted') return { statusCode: 204 };
  const product = await productStore.get(sku);
  if (!product) throw notFound(`Product ${sku} was not found.`); // deleted by a concurrent request
  return json(200, {
    ...adminProductView(product, await inventoryStore.get(sku)),
    detail: `Product ${sku} has open orders holding stock, so it was deactivated instead of deleted.`,
  });
});
