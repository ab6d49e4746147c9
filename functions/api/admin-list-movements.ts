import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { notFound } from '../commons/problem';
import { SKU_PATTERN } from '../domain/schemas';
import { inventoryStore } from '../adapters/inventory-store';
import { ledgerStore } from '../adapters/ledger-store';

/**
 * GET /admin/inventory/{sku}/movements: the SKU's ledger, newest first — adjustments, reservations,
 * releases and shipments — `{ at, type, location, onHandDelta, reservedDelta, orderId?, by, reason? }`.
 */
export const handler = api({ auth: 'admin', query: pageQuery }, async ({ params, query }) => {
  const sku = params.sku ?? '';
  if (!SKU_PATTERN.test(sku) || !(await inventoryStore.get(sku))) throw notFound(`No inventory for SKU ${sku}.`);
  return json(200, await ledgerStore.list(sku, query.limit, query.cursor));
});
