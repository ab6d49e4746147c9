import { productStore } from '../functions/adapters/product-store';
import { inventoryStore } from '../functions/adapters/inventory-store';
import { ensureMainLocation, locationStore } from '../functions/adapters/location-store';
import { seedLocations, seedLocationStock, seedProducts } from './seed-data';

export const SEED_ACTOR = 'local-seed';

/**
 * Seeds the demo catalogue through the same store the admin API uses (product + inventory + opening-stock
 * adjustment in one transaction each). Only into an empty catalogue: restarts keep whatever admins changed.
 * Needs the local environment (TABLE_NAME, DYNAMODB_ENDPOINT) applied first.
 */
export async function seedCatalogue(): Promise<{ seeded: number }> {
  const existing = await productStore.list({ limit: 1, activeOnly: false });
  if (existing.items.length > 0) return { seeded: 0 };
  const now = new Date().toISOString();
  await Promise.all(
    seedProducts.map((p) =>
      productStore.create(
        { sku: p.sku, name: p.name, description: p.description, price: p.price, lowStockThreshold: p.lowStockThreshold, active: true, createdAt: now, updatedAt: now },
        p.onHand,
        SEED_ACTOR,
      ),
    ),
  );
  // The locations migration (the reconciler runs it too), then a second location holding some stock.
  await ensureMainLocation();
  for (const location of seedLocations) await locationStore.create({ ...location, active: true });
  for (const stock of seedLocationStock) await inventoryStore.adjust(stock.sku, stock.onHand, 'Opening stock', SEED_ACTOR, stock.location);
  return { seeded: seedProducts.length };
}
