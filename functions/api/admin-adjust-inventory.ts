import { adminActor } from '../commons/auth';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { conflict, notFound } from '../commons/problem';
import { adjustmentBody } from '../domain/schemas';
import { levelsView } from '../domain/inventory';
import { InsufficientStock, InventoryNotFound, inventoryStore } from '../adapters/inventory-store';
import { checkLowStock, rearmLowStock } from '../inventory/low-stock';
import { locationStore } from '../adapters/location-store';
import { MAIN_LOCATION } from '../domain/allocation';

export const handler = api({ auth: 'admin', body: adjustmentBody }, async ({ params, body, principal }) => {
  const sku = params.sku!;
  const location = body.location ?? MAIN_LOCATION;
  if (!(await locationStore.get(location))) throw notFound(`Location ${location} was not found.`);
  try {
    const { levels, adjustment } = await inventoryStore.adjust(sku, body.delta, body.reason, adminActor(principal), location);
    if (body.delta > 0) await rearmLowStock([sku]);
    else await checkLowStock([sku]);
    await auditAdminAction(principal, 'inventory.adjust', `product:${sku}`, { delta: body.delta, location, onHand: levels.onHand, reserved: levels.reserved });
    return json(200, { ...levelsView(levels), adjustment });
  } catch (error) {
    if (error instanceof InventoryNotFound) throw notFound(`No inventory for SKU ${sku}.`);
    if (error instanceof InsufficientStock) {
      throw conflict('insufficient-stock', `Adjusting ${sku} at ${location} by ${body.delta} would take available stock there below 0 (units reserved by open orders cannot be removed).`);
    }
    throw error;
  }
});
