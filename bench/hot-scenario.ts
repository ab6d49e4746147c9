/** Shared by bench/hot.bench.ts: products with stock (optionally hot) and PENDING orders, made before the clock starts. */
import { makeHot } from '../functions/adapters/hot-stock';
import { orderStore } from '../functions/adapters/order-store';
import { productStore } from '../functions/adapters/product-store';

export async function createProductWithStock(sku: string, stock: number, shards: number, lowStockThreshold = 0): Promise<void> {
  const now = new Date().toISOString();
  await productStore.create({ sku, name: sku, price: { amount: 1000, currency: 'USD' }, lowStockThreshold, active: true, createdAt: now, updatedAt: now }, stock, 'bench');
  if (shards > 0) await makeHot(sku, shards);
}

export async function pendingOrders(sku: string, count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map((id) =>
        orderStore.create({
          id, userId: 'bench', status: 'PENDING', customer: { name: 'x', email: 'hot@example.com' },
          shippingAddress: { line1: 'x', city: 'x', postalCode: 'x', country: 'US' },
          items: [{ sku, name: sku, quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } }],
          total: { amount: 1000, currency: 'USD' }, paymentMethodId: 'pm_card_visa', stock: 'NONE', timeline: [], createdAt: now, updatedAt: now, version: 1,
        }),
      ),
    );
  }
  return ids;
}
