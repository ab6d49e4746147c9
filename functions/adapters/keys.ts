/**
 * Key layout of the single table (docs/data-model.md is the readable version).
 *   gsi1 "collection": every entity of one kind, ordered (PRODUCTS by sku, ORDERS/ALERTS/PAYMENTS by time)
 *   gsi2 "owner":      a customer's orders newest first (USER#<sub>)
 *   gsi3 "status":     orders or payments in one status, by time (ORDER_STATUS#PAID#<n>, PAYMENT_STATUS#captured#<n>)
 *   (the ORDERS, ORDER_STATUS, PAYMENTS and PAYMENT_STATUS keys are sharded by order id: see below)
 *   gsi4 "email":      orders by customer email, by time (EMAIL#<lower-case email>)
 */
export const keys = {
  product: (sku: string) => ({ pk: `PRODUCT#${sku}`, sk: 'PRODUCT' }),
  inventory: (sku: string) => ({ pk: `PRODUCT#${sku}`, sk: 'INVENTORY' }),
  adjustment: (sku: string, at: string, id: string) => ({ pk: `PRODUCT#${sku}`, sk: `ADJUSTMENT#${at}#${id}` }),
  order: (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' }),
  payment: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'PAYMENT' }),
  shipment: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'SHIPMENT' }),
  /** A shipment of a split order: S1 keeps the order's original SHIPMENT item, S2… are SHIPMENT#S2…. */
  shipmentPart: (orderId: string, shipmentId: string) => ({ pk: `ORDER#${orderId}`, sk: shipmentId === 'S1' ? 'SHIPMENT' : `SHIPMENT#${shipmentId}` }),
  /** A return of an order (functions/returns) and the order's counters of returned units. */
  orderReturn: (orderId: string, returnId: string) => ({ pk: `ORDER#${orderId}`, sk: `RETURN#${returnId}` }),
  returnCounts: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'RETURNS' }),
  /** Marker that a notification was sent: a conditional put makes step retries send once. */
  notification: (orderId: string, kind: string) => ({ pk: `ORDER#${orderId}`, sk: `NOTIFICATION#${kind}` }),
  tracking: (trackingNumber: string) => ({ pk: `TRACKING#${trackingNumber}`, sk: 'TRACKING' }),
  alert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  counter: (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' }),
  /** Webhook event ids already processed (idempotency by event id), expiring after 30 days. */
  webhookEvent: (source: string, eventId: string) => ({ pk: `WEBHOOK#${source}#${eventId}`, sk: 'WEBHOOK' }),
};

export const collections = {
  products: 'PRODUCTS',
  orders: 'ORDERS',
  alerts: 'ALERTS',
  payments: 'PAYMENTS',
} as const;

export const indexes = { collection: 'gsi1', owner: 'gsi2', status: 'gsi3', email: 'gsi4' } as const;

/**
 * Every order writes its gsi1 collection key and its gsi3 status key, so neither may be one partition (one
 * partition takes about 1,000 write units a second). Both are spread over ORDER_INDEX_SHARDS partitions by a
 * hash of the order id: `ORDERS#<n>` and `ORDER_STATUS#<status>#<n>`. Fixed: readers query all N (plus the
 * legacy unsharded key, which orders written before the split still carry until migrated) and merge by sort
 * key (functions/adapters/order-index.ts). Changing N needs a migration of every order item.
 */
export const ORDER_INDEX_SHARDS = 64;

/** FNV-1a of the id, mod N: any id string spreads evenly, the same id always lands on the same shard. */
export function indexShard(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export function orderIndexShard(orderId: string, shards = ORDER_INDEX_SHARDS): number {
  return indexShard(orderId, shards);
}

export const orderIndexKeys = {
  collection: (orderId: string) => `${collections.orders}#${orderIndexShard(orderId)}`,
  status: (status: string, orderId: string) => `ORDER_STATUS#${status}#${orderIndexShard(orderId)}`,
};

const shardList = (prefix: string, shards = ORDER_INDEX_SHARDS) => Array.from({ length: shards }, (_, n) => `${prefix}#${n}`);

/** Every partition that may hold an order of the list: the N shards, then the legacy key. */
export const orderIndexPartitions = {
  collection: () => [...shardList(collections.orders), legacyOrderIndexKeys.collection],
  status: (status: string) => [...shardList(`ORDER_STATUS#${status}`), legacyOrderIndexKeys.status(status)],
};

/** The keys orders carried before the split (docs/decisions.md 2026-12-02, "Order index keys sharded"). */
export const legacyOrderIndexKeys = {
  collection: collections.orders as string,
  status: (status: string) => `ORDER_STATUS#${status}`,
};

/**
 * Payment records are indexed like orders and for the same reason: every payment step (authorize, a 3-D
 * Secure step, capture, refunds) rewrites the gsi1 entry and moves or rewrites the gsi3 status entry, so
 * `PAYMENTS` and `PAYMENT_STATUS#authorized` took every hot-SKU order's payment writes. Spread over
 * PAYMENT_INDEX_SHARDS partitions by the same hash of the order id: `PAYMENTS#<n>`,
 * `PAYMENT_STATUS#<status>#<n>`. 32, not the orders' 64: sized from the write rate (docs/scaling.md, "Payment
 * index keys"; a 5,000 orders/s burst puts about 470 units/s on each shard), because every reader queries
 * every shard, and the reconciler reads two payment statuses in each run. Changing N needs a migration.
 */
export const PAYMENT_INDEX_SHARDS = 32;

export const paymentIndexShard = (orderId: string) => indexShard(orderId, PAYMENT_INDEX_SHARDS);

export const paymentIndexKeys = {
  collection: (orderId: string) => `${collections.payments}#${paymentIndexShard(orderId)}`,
  status: (status: string, orderId: string) => `PAYMENT_STATUS#${status}#${paymentIndexShard(orderId)}`,
};

/** The keys payment records carried before the split (docs/decisions.md 2026-12-02, "Payment index keys sharded"). */
export const legacyPaymentIndexKeys = {
  collection: collections.payments as string,
  status: (status: string) => `PAYMENT_STATUS#${status}`,
};

/** Every partition that may hold a payment of the list: the N shards, then the legacy key. */
export const paymentIndexPartitions = {
  collection: () => [...shardList(collections.payments, PAYMENT_INDEX_SHARDS), legacyPaymentIndexKeys.collection],
  status: (status: string) => [...shardList(`PAYMENT_STATUS#${status}`, PAYMENT_INDEX_SHARDS), legacyPaymentIndexKeys.status(status)],
};

/**
 * Admin audit log: one partition, one item per entry, sk zero-padded so it sorts by seq. Appending is a
 * conditional put of the next seq (functions/adapters/audit-store.ts).
 */
export const AUDIT_PK = 'AUDIT';
export const auditKey = (seq: number) => ({ pk: AUDIT_PK, sk: `SEQ#${String(seq).padStart(12, '0')}` });
