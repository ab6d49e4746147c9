import { api, json } from '../commons/http';
import { notFound } from '../commons/problem';
import { productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { publicProductView } from '../catalog/views';

export const handler = api({ auth: 'public' }, async ({ params }) => {
  const product = await productStore.get(params.sku!);
  if (!product?.active) throw notFound(`Product ${params.sku} was not found.`);
  return json(200, publicProductView(product, await inventoryStore.get(product.sku)));
});
