import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { notFound } from '../commons/problem';
import { updateProductBody } from '../domain/schemas';
import { ProductNotFound, productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { adminProductView } from '../catalog/views';
import { checkLowStock, rearmLowStock } from '../inventory/low-stock';

export const handler = api({ auth: 'admin', body: updateProductBody }, async ({ params, body, principal }) => {
  const sku = params.sku!;
  let product;
  try {
    product = await productStore.update(sku, body);
  } catch (error) {
    if (error instanceof ProductNotFound) throw notFound(`Product ${sku} was not found.`);
    throw error;
  }
  // A new threshold can put current stock on either side of it.
  if (body.lowStockThreshold !== undefined) {
    await rearmLowStock([sku]);
    await checkLowStock([sku]);
  }
  await auditAdminAction(principal, 'product.update', `product:${sku}`, { fields: Object.keys(body).sort() });
  return json(200, adminProductView(product, await inventoryStore.get(sku)));
});
