import { api, json } from '../commons/http';
import { notFound } from '../commons/problem';
import { productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { adminProductView } from '../catalog/views';

export const handler = api({ auth: 'admin' }, async ({ params }) => {
  const product = await productStore.get(params.sku!);
  if (!product) throw notFound(`Product ${params.sku} was not found.`);
  return json(200, adminProductView(product, await inventoryStore.get(product.sku)));
});
