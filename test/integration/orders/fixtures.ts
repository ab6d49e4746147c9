import { productStore } from '../../../functions/adapters/product-store';
import { orderStore } from '../../../functions/adapters/order-store';
import { newOrder, priceOrder } from '../../../functions/orders/service';
import type { Order } from '../../../functions/domain/order';
import { requestFingerprint } from '../../../functions/domain/order-identity';

export async function createProduct(sku: string, onHand: number, lowStockThreshold = 0, amount = 1000): Promise<void> {
  const now = new Date().toISOString();
  await productStore.create({ sku, name: `Product ${sku}`, price: { amount, currency: 'USD' }, lowStockThreshold, active: true, createdAt: now, updatedAt: now }, onHand, 'test');
}

export const orderBody = (items: { sku: string; quantity: number }[], email = 'ada@example.com') => ({
  customer: { name: 'Ada Lovelace', email },
  shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
  items,
  payment: { paymentMethodId: 'pm_card_visa' },
});

/** A PENDING order as POST /orders stores it (priced from the catalogue), without starting a workflow. */
export async function createPendingOrder(items: { sku: string; quantity: number }[], userId = 'user-1'): Promise<Order> {
  const body = orderBody(items);
  const id = crypto.randomUUID();
  const order = newOrder(body, userId, `customer:${userId}`, await priceOrder(body.items), { id, requestFingerprint: requestFingerprint(id, body) });
  await orderStore.create(order);
  return order;
}
