import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { PlaceOrderBody } from '../domain/schemas';
import { CANCELLABLE_STATUSES, type Order, type OrderLine } from '../domain/order';
import { multiply, sum } from '../domain/money';
import { quantitiesBySku } from '../domain/inventory';
import { ProblemError, conflict, notFound } from '../commons/problem';
import { countMetric, logger } from '../commons/powertools';
import { orderStore, type TransitionOptions } from '../adapters/order-store';
import { forgetShards, shardCounts } from '../adapters/inventory-store';
import { salesStore } from '../adapters/sales-store';
import { planReservation, releaseStockItems, shipStockItems, worthReplanning } from '../inventory/stock';
import { productStore } from '../adapters/product-store';
import { failedConditions, transactWrite } from '../adapters/transactions';
import { checkLowStock, rearmLowStock } from '../inventory/low-stock';
import { keys } from '../adapters/keys';
import { config } from '../commons/config';
import { OrderNotActive, OutOfStock } from './errors';

/**
 * Order use cases shared by API handlers and workflow steps. Every change of stock happens in one
 * transaction with the order's status/stock flags, so each reservation is taken and released exactly once.
 */

/** Prices the lines from the catalogue (never from the client); 422 naming each unknown/inactive SKU. */
export async function priceOrder(items: PlaceOrderBody['items']): Promise<{ lines: OrderLine[]; total: Order['total'] }> {
  const products = await productStore.getMany(items.map((item) => item.sku));
  const unsellable = items.flatMap((item, index) => {
    const product = products.get(item.sku);
    if (product?.active) return [];
    return [{ sku: item.sku, path: `items.${index}.sku`, message: product ? `SKU ${item.sku} is not for sale` : `unknown SKU ${item.sku}` }];
  });
  if (unsellable.length) {
    const errors = unsellable.map(({ path, message }) => ({ path, message }));
    throw new ProblemError(422, 'unknown-sku', `Unknown or inactive SKU: ${unsellable.map((u) => u.sku).join(', ')}.`, errors);
  }
  const currencies = new Set(items.map((item) => products.get(item.sku)!.price.currency));
  if (currencies.size > 1) throw new ProblemError(422, 'mixed-currency', 'All lines of an order must be priced in one currency.');
  const [currency] = currencies;
  const lines = items.map((item) => {
    const product = products.get(item.sku)!;
    return { sku: item.sku, name: product.name, quantity: item.quantity, unitPrice: product.price, lineTotal: multiply(product.price, item.quantity) };
  });
  return { lines, total: sum(lines.map((l) => l.lineTotal), currency!) };
}

export function newOrder(
  body: PlaceOrderBody,
  userId: string,
  actor: string,
  priced: Awaited<ReturnType<typeof priceOrder>>,
  identity: { id: string; requestFingerprint: string; number?: number },
): Order {
  const now = new Date().toISOString();
  return {
    id: identity.id,
    requestFingerprint: identity.requestFingerprint,
    ...(identity.number !== undefined ? { number: identity.number } : {}),
    userId,
    status: 'PENDING',
    customer: body.customer,
    shippingAddress: body.shippingAddress,
    items: priced.lines,
    total: priced.total,
    paymentMethodId: body.payment.paymentMethodId,
    stock: 'NONE',
    timeline: [{ at: now, status: 'PENDING', actor, reason: 'Order placed' }],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

const skusOf = (order: Order) => [...quantitiesBySku(order.items).keys()];

/**
 * Bookkeeping after a committed stock change (sales counters, alert check, re-arm): logged, never thrown.
 * The stock change is done and must not be reported as failed; a missed re-arm is redone by the next
 * stock increase, a missed alert check by the next decrease or a retried reservation step.
 */
async function afterStockChange(work: () => Promise<unknown>, orderId: string): Promise<void> {
  try {
    await work();
  } catch (error) {
    logger.warn('Stock bookkeeping failed after commit', { orderId, error: error as Error });
  }
}

/**
 * Reserve every line or none: one transaction with the order's PENDING→RESERVED transition and a
 * `available >= qty` condition per SKU. A retried step finds the order RESERVED and returns it.
 */
export async function reserveStock(orderId: string, actor = 'step:reserve-stock'): Promise<Order> {
  const order = await orderStore.get(orderId);
  if (!order) throw new OrderNotActive(orderId, undefined);
  // Already reserved (a retried step, or a saga restarted for an order further along): nothing to take,
  // but the low-stock check that followed the reservation may not have run: it is safe to repeat (one alert
  // per crossing), and it must not fail quietly: nothing else would raise the crossing's alert.
  if (order.stock === 'RESERVED' && ['RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED'].includes(order.status)) {
    await checkLowStock(skusOf(order));
    return order;
  }
  if (order.status !== 'PENDING') throw new OrderNotActive(orderId, order.status);

  const quantities = [...quantitiesBySku(order.items)];
  // Up to 5 plans: reads are stale (another order took the stock first, a hot SKU's shard emptied, a SKU
  // turned hot), so a refused condition at a location or shard makes it re-read and allocate again.
  for (let attempt = 1; ; attempt++) {
    const now = new Date().toISOString();
    const plan = await planReservation(order, now, attempt > 1);
    if (!plan.ok) {
      countMetric('OutOfStock');
      if (plan.reason === 'too-large') logger.warn('No allocation fits one transaction', { orderId, lines: quantities.length });
      throw new OutOfStock(plan.skus);
    }
    const { shipments, allocation, items: stockItems, atLeast, shards } = plan;
    const hot = Object.keys(allocation).length > 0;
    const where = shipments.length > 1 || shipments[0]?.location !== 'MAIN' ? ` from ${shipments.map((s) => s.location).join(' + ')}` : '';
    try {
      await transactWrite([
        { Update: orderStore.transitionUpdate(orderId, 'RESERVED', { actor, reason: `Reserved ${quantities.map(([sku, q]) => `${q}× ${sku}`).join(', ')}${where}` }, { from: ['PENDING'], stockIs: 'NONE', set: { stock: 'RESERVED', shipments, ...(hot ? { stockAllocation: allocation } : {}) }, at: now }) },
        ...stockItems.map(({ item }) => item),
      ], { operation: 'reserve' });
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = failedConditions(error);
      if (failed.includes(0)) {
        const current = await orderStore.get(orderId);
        if (current?.stock === 'RESERVED') return current;
        throw new OrderNotActive(orderId, current?.status);
      }
      if (failed.length) {
        const failedSkus = [...new Set(failed.map((index) => stockItems[index - 1]!.sku))];
        if (attempt < 5) {
          // A SKU that turned hot under a cached "not hot" fails on its emptied INVENTORY item: forget and re-read.
          forgetShards(failedSkus);
          if (worthReplanning(plan, failed.map((i) => i - 1))) {
            // Others are taking the same locations' stock: a little jitter so the next reads see their commits
            // (not for MAIN's hot shards: the next plan picks other random shards at once).
            if (shipments.some((s) => s.location !== 'MAIN')) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
            continue;
          }
          const fresh = await shardCounts(failedSkus);
          if (failedSkus.some((sku) => (fresh.get(sku) ?? 0) > 0)) continue;
        }
        countMetric('OutOfStock');
        throw new OutOfStock(failedSkus);
      }
      throw error;
    }
    await afterStockChange(() => salesStore.recordSales(order.items, now, shards), orderId);
    // A failed check fails the step: its retry finds the order reserved and checks again (above). Swallowed,
    // a timed-out read here lost the crossing's alert for good (found by the fault matrix).
    await checkLowStock(quantities.map(([sku]) => sku), atLeast);
    return (await orderStore.get(orderId))!;
  }
}

/**
 * The stock items that give back (release) or take out (ship) an order's reservation, per location it was
 * taken from (functions/inventory/stock.ts); a hot SKU's MAIN units go back to the shards recorded at reservation.
 */
async function stockItemsFor(order: Order, kind: 'release' | 'ship', now: string) {
  return kind === 'release' ? releaseStockItems(order, now) : shipStockItems(order, now);
}

/** Releases the order's reservation exactly once (the flag flip and the stock change are one transaction). */
export async function releaseStock(orderId: string): Promise<boolean> {
  const order = await orderStore.get(orderId);
  if (!order || order.stock !== 'RESERVED') return false;
  const now = new Date().toISOString();
  const quantities = [...quantitiesBySku(order.items)];
  try {
    await transactWrite([
      { Update: orderStore.stockReleaseUpdate(orderId, now) },
      ...(await stockItemsFor(order, 'release', now)),
    ], { operation: 'release' });
  } catch (error) {
    if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) return false;
    throw error;
  }
  await afterStockChange(() => rearmLowStock(quantities.map(([sku]) => sku)), orderId);
  return true;
}

/**
 * Cancel before shipping, by the customer or an admin. Status and stock change in one transaction
 * conditioned on the status just read; a racing workflow step makes it re-read and re-decide.
 * Returns the cancelled order; an already-cancelled order is returned as is (idempotent).
 */
export async function cancelOrder(orderId: string, actor: string, reason: string, canSee: (order: Order) => boolean): Promise<Order> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const order = await orderStore.get(orderId);
    if (!order || !canSee(order)) throw notFound(`Order ${orderId} was not found.`);
    if (order.status === 'CANCELLED') return order;
    if (!CANCELLABLE_STATUSES.includes(order.status) || order.shippedParts) {
      throw conflict('order-not-cancellable', `Order ${orderId} is ${order.status} and can no longer be cancelled.`);
    }
    const now = new Date().toISOString();
    const releasing = order.stock === 'RESERVED';
    const quantities = releasing ? [...quantitiesBySku(order.items)] : [];
    try {
      await transactWrite([
        {
          Update: notPartlyShipped(orderStore.transitionUpdate(orderId, 'CANCELLED', { actor, reason }, {
            from: [order.status],
            // Conditioned on the stock state read too: a compensation may have released it meanwhile.
            stockIs: order.stock,
            set: releasing ? { stock: 'RELEASED' } : {},
            at: now,
          })),
        },
        ...(releasing ? await stockItemsFor(order, 'release', now) : []),
      ], { operation: 'cancel' });
    } catch (error) {
      if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) continue;
      throw error;
    }
    if (releasing) await afterStockChange(() => rearmLowStock(quantities.map(([sku]) => sku)), orderId);
    return (await orderStore.get(orderId))!;
  }
  throw new ProblemError(503, 'busy', `Order ${orderId} is changing too quickly; retry the cancellation.`);
}

/** A split order of which a shipment is with the carrier (`shippedParts`) can no longer be cancelled. */
const notPartlyShipped = <U extends { ConditionExpression: string }>(update: U): U => ({ ...update, ConditionExpression: `${update.ConditionExpression} AND attribute_not_exists(shippedParts)` });

/** Shipping: LABELLED→SHIPPED and reserved units leave the warehouse, in one transaction. */
export async function shipStock(
  orderId: string,
  actor: string,
  set: TransitionOptions['set'],
  /** The last shipment of a split order: adds its element change (fulfillment/ship-shipment.ts) to the same update. */
  extend?: { reason: string; update: <U>(update: U, order: Order) => U },
): Promise<Order> {
  const order = await orderStore.get(orderId);
  if (!order) throw new OrderNotActive(orderId, undefined);
  if (order.status === 'SHIPPED' || order.status === 'DELIVERED') return order;
  if (order.status !== 'LABELLED' || order.stock !== 'RESERVED') throw new OrderNotActive(orderId, order.status);
  const now = new Date().toISOString();
  const transition = orderStore.transitionUpdate(orderId, 'SHIPPED', { actor, reason: extend?.reason ?? 'Handed to the carrier' }, { from: ['LABELLED'], stockIs: 'RESERVED', set: { ...set, stock: 'SHIPPED' }, at: now });
  try {
    await transactWrite([
      { Update: extend ? extend.update(transition, order) : transition },
      ...(await stockItemsFor(order, 'ship', now)),
    ], { operation: 'ship' });
  } catch (error) {
    if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) {
      const current = await orderStore.get(orderId);
      if (current?.status === 'SHIPPED') return current;
      throw new OrderNotActive(orderId, current?.status);
    }
    throw error;
  }
  return (await orderStore.get(orderId))!;
}


/**
 * Appends one timeline entry for an event that is not a status change (a refund), exactly once per
 * `event`: the entry and a marker item (`TIMELINE#<event>` under the order) are written in one
 * transaction, so a replayed stream record or a retried effect adds nothing.
 */
export async function noteOnce(orderId: string, event: string, entry: { actor: string; reason: string }): Promise<'done' | 'skipped'> {
  const order = await orderStore.get(orderId);
  if (!order) return 'skipped';
  const at = new Date().toISOString();
  const key = keys.order(orderId);
  try {
    await transactWrite(
      [
        { Put: { TableName: config.tableName(), Item: { pk: key.pk, sk: `TIMELINE#${event}`, entity: 'TIMELINE_MARK', orderId, at }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: config.tableName(),
            Key: key,
            UpdateExpression: 'SET #timeline = list_append(#timeline, :entry), #updatedAt = :at, #version = #version + :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#version': 'version' },
            ExpressionAttributeValues: { ':entry': [{ at, status: order.status, ...entry }], ':at': at, ':one': 1 },
          },
        },
      ],
      { operation: 'timeline-note' },
    );
    return 'done';
  } catch (error) {
    if (error instanceof TransactionCanceledException && failedConditions(error).length) return 'skipped';
    throw error;
  }
}
