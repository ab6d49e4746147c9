import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { adminProductView } from '../catalog/views';

/** Every product, active or not, with its stock levels. */
export const handler = api({ auth: 'admin', query: pageQuery }, async ({ query }) => {
  const page = await productStore.list({ limit: query.limit, cursor: query.cursor, activeOnly: false });
  const levels = await Promise.all(page.items.map((product) => inventoryStore.get(product.sku)));
  return json(200, { items: page.items.map((product, i) => adminProductView(product, levels[i])), nextCursor: page.nextCursor });
});
