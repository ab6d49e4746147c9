import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { notFound } from '../commons/problem';
import { inventoryStore } from '../adapters/inventory-store';

/** Adjustment history of one SKU, newest first: who, when, why, and the levels it produced. */
export const handler = api({ auth: 'admin', query: pageQuery }, async ({ params, query }) => {
  const sku = params.sku!;
  if (!(await inventoryStore.get(sku))) throw notFound(`No inventory for SKU ${sku}.`);
  return json(200, await inventoryStore.adjustments(sku, query.limit, query.cursor));
});
