import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import type { Page } from '../commons/pagination';
import type { Order, OrderStatus } from '../domain/order';
import { keys } from './keys';
import { mergedOrderQuery, orderList, type MergedQuery } from './order-index';
import { stripKeys } from './order-store';

/**
 * Admin order search with `q` (SPEC.md "Finding and reading orders"), on the existing indexes:
 *   - an order id: one GetItem, then the other filters checked on it;
 *   - an order number (1001 or #1001) or a ≥3-character prefix of the email, the name (case-insensitive)
 *     or the id: the index the other filters pick (email → gsi4, status → gsi3, else the ORDERS
 *     collection on gsi1, each within [from, to]) read newest first with a filter, over all the index's
 *     shards merged by time (order-index.ts).
 * Filtered reads cost what they read, so one request reads at most `READ_BUDGET` items and returns the
 * matches so far with a cursor to go on (a page may be short; `nextCursor` null means the end).
 */

/** A number's digits (`text`) may also begin an order id (ids are hex: `13657145-…`): both are searched. */
export type SearchTerm = { kind: 'id'; id: string } | { kind: 'number'; number: number; text: string } | { kind: 'prefix'; text: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What `q` means; undefined when it is too short to search (fewer than 3 characters, not a number). */
export function parseSearchTerm(raw: string): SearchTerm | undefined {
  const q = raw.trim();
  if (/^#?\d{1,15}$/.test(q)) return { kind: 'number', number: Number(q.replace('#', '')), text: q.startsWith('#') ? '' : q };
  if (UUID.test(q)) return { kind: 'id', id: q.toLowerCase() };
  if ([...q].length >= 3) return { kind: 'prefix', text: q.toLowerCase() };
  return undefined;
}

export interface OrderSearchQuery {
  status?: OrderStatus;
  email?: string;
  from?: string;
  to?: string;
  q?: SearchTerm;
  /** Only orders flagged for a person (compensation failure, open dispute, stuck workflow): a filter, not an index. */
  needsAttention?: boolean;
  limit: number;
  cursor?: string;
}

export const READ_BUDGET = 2000;

function searchFilter(q: OrderSearchQuery): MergedQuery['filter'] {
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const filters: string[] = [];
  if (q.email && q.status) {
    names['#status'] = 'status';
    values[':status'] = q.status;
    filters.push('#status = :status');
  }
  if (q.q?.kind === 'number') {
    names['#number'] = 'number';
    values[':number'] = q.q.number;
    // Without the #, three or more digits can also be the start of an order id.
    if (q.q.text.length >= 3) {
      values[':idq'] = q.q.text;
      filters.push('(#number = :number OR begins_with(id, :idq))');
    } else {
      filters.push('#number = :number');
    }
  } else if (q.q?.kind === 'prefix') {
    if (q.email) {
      // On the email index the email is fixed (and a key attribute, which a filter may not use): either
      // it starts with q and every order matches, or only name and id prefixes can.
      if (!q.email.toLowerCase().startsWith(q.q.text)) {
        values[':q'] = q.q.text;
        filters.push('(begins_with(searchName, :q) OR begins_with(id, :q))');
      }
    } else {
      Object.assign(values, { ':q': q.q.text, ':emailq': `EMAIL#${q.q.text}` });
      filters.push('(begins_with(searchName, :q) OR begins_with(gsi4pk, :emailq) OR begins_with(id, :q))');
    }
  }
  if (q.needsAttention) filters.push('attribute_exists(needsAttention)');
  return filters.length ? { expression: filters.join(' AND '), names, values } : undefined;
}

const inRange = (order: Order, q: OrderSearchQuery) => (!q.from || order.createdAt >= q.from) && (!q.to || order.createdAt <= `${q.to}~`);

/** One page of matches, newest first. */
export async function searchOrders(q: OrderSearchQuery): Promise<Page<Order>> {
  if (q.q?.kind === 'id') {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.order(q.q.id), ConsistentRead: true }));
    const order = Item ? stripKeys(Item) : undefined;
    const matches = order && (!q.status || order.status === q.status) && (!q.email || order.customer.email.toLowerCase() === q.email.toLowerCase()) && inRange(order, q) && (!q.needsAttention || Boolean(order.needsAttention));
    return { items: matches ? [order] : [], nextCursor: null };
  }
  const filter = searchFilter(q);
  const page = await mergedOrderQuery({ list: orderList(q), limit: q.limit, cursor: q.cursor, filter, ...(filter ? { readBudget: READ_BUDGET } : {}) });
  return { items: page.items.map(stripKeys), nextCursor: page.nextCursor };
}

/** Every match (for CSV export), stopping once more than `max` are found. */
export async function allOrders(q: Omit<OrderSearchQuery, 'limit' | 'cursor'>, max: number): Promise<{ orders: Order[]; truncated: boolean }> {
  const orders: Order[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await searchOrders({ ...q, limit: 1000, cursor });
    orders.push(...page.items);
    if (orders.length > max) return { orders: orders.slice(0, max), truncated: true };
    if (!page.nextCursor) return { orders, truncated: false };
    cursor = page.nextCursor;
  }
}
