/** Shared by bench/hot.bench.ts: products with stock (optionally hot) and PENDING orders, made before the clock starts. */
import { makeHot } from '../functions/adapters/hot-stock';
import { orderStore } from '../functions/adapters/order-store';
import { paymentStore } from '../functions/adapters/payment-store';
import { productStore } from '../functions/adapters/product-store';
import { nextOrderNumber } from '../functions/orders/order-number';

export async function createProductWithStock(sku: string, stock: number, shards: number, lowStockThreshold = 0): Promise<void> {
  const now = new Date().toISOString();
  await productStore.create({ sku, name: sku, price: { amount: 1000, currency: 'USD' }, lowStockThreshold, active: true, createdAt: now, updatedAt: now }, stock, 'bench');
  if (shards > 0) await makeHot(sku, shards);
}

/**
 * A PENDING order for one unit of `sku`, as POST /orders writes it (number from the leased blocks, index keys
 * from the order store). Each has its own customer, as in a flash sale: a customer's own index partitions
 * (USER#, EMAIL#) take that customer's orders only.
 */
export async function createPendingOrder(sku: string, id: string = crypto.randomUUID()): Promise<string> {
  const now = new Date().toISOString();
  await orderStore.create({
    id, number: await nextOrderNumber(), userId: `bench-${id}`, status: 'PENDING', customer: { name: 'x', email: `${id}@example.com` },
    shippingAddress: { line1: 'x', city: 'x', postalCode: 'x', country: 'US' },
    items: [{ sku, name: sku, quantity: 1, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000, currency: 'USD' } }],
    total: { amount: 1000, currency: 'USD' }, paymentMethodId: 'pm_card_visa', stock: 'NONE', timeline: [], createdAt: now, updatedAt: now, version: 1,
  });
  return id;
}

export async function pendingOrders(sku: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (let i = 0; i < ids.length; i += 16) await Promise.all(ids.slice(i, i + 16).map((id) => createPendingOrder(sku, id)));
  return ids;
}

/**
 * The payment record of an order's authorization, written as AuthorizePayment writes it: the record (with its
 * sharded PAYMENTS#n / PAYMENT_STATUS#authorized#n index keys) and the order's payment summary in one
 * transaction. No provider call: the bench measures the table's items and index partitions.
 */
export async function authorizePayment(orderId: string): Promise<void> {
  const now = new Date().toISOString();
  await paymentStore.save(
    {
      orderId, provider: 'sandbox', intentId: `pi_bench_${orderId}`, amount: { amount: 1000, currency: 'USD' }, amountCaptured: 0, amountRefunded: 0,
      currency: 'USD', status: 'authorized', card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
      captureBefore: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(), history: [{ at: now, status: 'authorized', source: 'workflow:authorize' }],
      refunds: [], refundSequence: 0, createdAt: now, updatedAt: now, version: 1,
    },
    undefined,
  );
}
