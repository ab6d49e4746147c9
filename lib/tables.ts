/**
 * Table definitions shared by CDK (lib/order-service-stack.ts) and local mode (local/dynamodb.ts), so the
 * key schema DynamoDB Local runs is the one AWS runs. The access patterns are in docs/data-model.md.
 */
export interface KeyDef {
  name: string;
  type: 'S' | 'N';
}
export interface TableDef {
  /** Logical id in CDK and the suffix of the local table name. */
  id: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  globalSecondaryIndexes: { indexName: string; partitionKey: KeyDef; sortKey?: KeyDef }[];
  timeToLiveAttribute?: string;
  /** The change stream the outbox consumer reads (functions/stream/outbox-consumer.ts). */
  stream?: 'NEW_AND_OLD_IMAGES';
}

const s = (name: string): KeyDef => ({ name, type: 'S' });

/** Single table: products, inventory, orders, payments, shipments, alerts, counters. */
export const mainTable: TableDef = {
  id: 'OrderTable',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk') },
    { indexName: 'gsi2', partitionKey: s('gsi2pk'), sortKey: s('gsi2sk') },
    { indexName: 'gsi3', partitionKey: s('gsi3pk'), sortKey: s('gsi3sk') },
    { indexName: 'gsi4', partitionKey: s('gsi4pk'), sortKey: s('gsi4sk') },
  ],
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
};

/** Powertools idempotency persistence layer (its default attribute names). */
export const idempotencyTable: TableDef = {
  id: 'IdempotencyTable',
  partitionKey: s('id'),
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiration',
};

export const tables = [mainTable, idempotencyTable];
