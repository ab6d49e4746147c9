import type { OrderStatus } from '../domain/order';
import { indexes, orderIndexPartitions } from './keys';
import { mergedIndexQuery, type IndexList, type MergedQuery } from './sharded-index';

/** Order lists over the sharded order index keys (keys.ts ORDER_INDEX_SHARDS), merged by sharded-index.ts. */
export type OrderList = IndexList;
export type { MergedQuery };
export const mergedOrderQuery = mergedIndexQuery;

/** Which index answers an order list (email, else status, else every order), optionally within [from, to]. */
export function orderList(q: { status?: OrderStatus; email?: string; from?: string; to?: string }): OrderList {
  const list: Omit<OrderList, 'lower' | 'upper'> = q.email
    ? { index: indexes.email, pkName: 'gsi4pk', skName: 'gsi4sk', partitions: [`EMAIL#${q.email.toLowerCase()}`] }
    : q.status
      ? { index: indexes.status, pkName: 'gsi3pk', skName: 'gsi3sk', partitions: orderIndexPartitions.status(q.status) }
      : { index: indexes.collection, pkName: 'gsi1pk', skName: 'gsi1sk', partitions: orderIndexPartitions.collection() };
  // Sort keys are "<ISO time>#<id>": "~" sorts after every id character, so `to` is inclusive.
  return { ...list, ...(q.from ? { lower: q.from } : {}), ...(q.to ? { upper: `${q.to}~` } : {}) };
}
