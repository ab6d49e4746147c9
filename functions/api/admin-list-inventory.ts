import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { levelsView } from '../domain/inventory';
import { inventoryStore } from '../adapters/inventory-store';

export const handler = api({ auth: 'admin', query: pageQuery }, async ({ query }) => {
  const page = await inventoryStore.list(query.limit, query.cursor);
  return json(200, { items: page.items.map(levelsView), nextCursor: page.nextCursor });
});
