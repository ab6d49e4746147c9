import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { publicProductView } from '../catalog/views';

/** Public catalogue: active products with what can be bought now. */
export const handler = api({ auth: 'public', query: pageQuery }, async ({ query }) => {
  const page = await productStore.list({ limit: query.limit, cursor: query.cursor, activeOnly: true });
  const levels = await Promise.all(page.items.map((product) => inventoryStore.get(product.sku)));
  return json(200, {
    items: page.items.map((product, i) => publicProductView(product, levels[i])),
    nextCursor: page.nextCursor,
  });
});
