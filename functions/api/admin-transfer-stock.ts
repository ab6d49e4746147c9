import { adminActor } from '../commons/auth';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { conflict, notFound } from '../commons/problem';
import { transferBody } from '../domain/schemas';
import { levelsView } from '../domain/inventory';
import { HotStockNotTransferable, InsufficientStock, InventoryNotFound, inventoryStore } from '../adapters/inventory-store';
import { locationStore } from '../adapters/location-store';
import { checkLowStock } from '../inventory/low-stock';

/** POST /admin/inventory/transfers: units move between two locations in one transaction (409 if `from` lacks them). */
export const handler = api({ auth: 'admin', body: transferBody }, async ({ body, principal }) => {
  const [from, to] = await Promise.all([locationStore.get(body.from), locationStore.get(body.to)]);
  if (!from) throw notFound(`Location ${body.from} was not found.`);
  if (!to) throw notFound(`Location ${body.to} was not found.`);
  if (!to.active) throw conflict('location-inactive', `Location ${body.to} is not active: stock cannot be moved there.`);
  try {
    const { levels, id } = await inventoryStore.transfer(body.sku, body.from, body.to, body.quantity, body.reason, adminActor(principal));
    // The total is unchanged; the check is for an alert a concurrent change left pending (cheap when armed above).
    await checkLowStock([body.sku]);
    await auditAdminAction(principal, 'inventory.transfer', `product:${body.sku}`, { from: body.from, to: body.to, quantity: body.quantity });
    return json(200, { id, ...levelsView(levels) });
  } catch (error) {
    if (error instanceof InventoryNotFound) throw notFound(`No inventory for SKU ${body.sku}${to.active ? '' : ` at ${body.to}`}.`);
    if (error instanceof HotStockNotTransferable) throw conflict('hot-sku-main', `${body.sku} is hot: its MAIN stock is spread over shards and cannot be transferred (adjust it instead).`);
    if (error instanceof InsufficientStock) throw conflict('insufficient-stock', `${body.from} does not have ${body.quantity} available units of ${body.sku}.`);
    throw error;
  }
});
