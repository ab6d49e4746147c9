import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import { allowedFrom, type Order, type OrderStatus, type TimelineEntry } from '../domain/order';
import { assignments } from './expressions';
import { indexes, keys, orderIndexKeys } from './keys';
import { mergedOrderQuery, orderList } from './order-index';

/** Thrown when a conditional transition finds the order in another status (e.g. cancelled meanwhile). */
export class OrderStateConflict extends Error {
  constructor(
    readonly orderId: string,
    readonly current: Order | undefined,
    readonly wanted: OrderStatus,
  ) {
    super(`Order ${orderId} cannot move to ${wanted} from ${current?.status ?? 'missing'}`);
  }
}

export interface OrderQuery {
  status?: OrderStatus;
  email?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface TransitionOptions {
  /** Statuses the order must be in; defaults to every status from which `to` is allowed. */
  from?: OrderStatus[];
  /** Extra attributes written in the same update (e.g. payment, shipment, failureReason, stock). */
  set?: Partial<Omit<Order, 'id' | 'status' | 'timeline' | 'version' | 'createdAt'>>;
  at?: string;
  /** Also require this stock state, so a status change cannot race a release or reservation of the stock. */
  stockIs?: Order['stock'];
}

const indexKeysOf = (order: Pick<Order, 'id' | 'userId' | 'status' | 'createdAt' | 'customer'>) => ({
  // Sharded by the order id (keys.ts ORDER_INDEX_SHARDS): no index partition is written by every order.
  gsi1pk: orderIndexKeys.collection(order.id),
  gsi1sk: `${order.createdAt}#${order.id}`,
  gsi2pk: `USER#${order.userId}`,
  gsi2sk: `${order.createdAt}#${order.id}`,
  gsi3pk: orderIndexKeys.status(order.status, order.id),
  gsi3sk: `${order.createdAt}#${order.id}`,
  gsi4pk: `EMAIL#${order.customer.email.toLowerCase()}`,
  gsi4sk: `${order.createdAt}#${order.id}`,
  // Admin search `q` (adapters/order-search.ts): the customer's name in lower case, for prefix matches.
  searchName: order.customer.name.toLowerCase(),
});

export const stripKeys = (item: Record<string, unknown>): Order => {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk, entity, searchName, ...order } = item;
  return order as unknown as Order;
};

export const orderStore = {
  /** Put item for a new order, usable alone or inside a transaction. */
  putItem(order: Order) {
    return {
      TableName: config.tableName(),
      Item: { ...keys.order(order.id), entity: 'ORDER', ...indexKeysOf(order), ...order },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  },

  async create(order: Order): Promise<void> {
    await ddb().send(new PutCommand(this.putItem(order)));
  },

  /** Creates the order unless one with its id exists already; false when it did. */
  async createIfAbsent(order: Order): Promise<boolean> {
    try {
      await ddb().send(new PutCommand(this.putItem(order)));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  async get(id: string, consistent = true): Promise<Order | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.order(id), ConsistentRead: consistent }));
    return Item ? stripKeys(Item) : undefined;
  },

  /**
   * The update that moves an order to `to`, conditional on its current status, appending to the timeline.
   * Returned as parameters so callers can put it inside a TransactWriteItems with inventory changes.
   */
  transitionUpdate(id: string, to: OrderStatus, entry: Omit<TimelineEntry, 'at' | 'status'>, options: TransitionOptions = {}) {
    const at = options.at ?? new Date().toISOString();
    const from = options.from ?? allowedFrom(to);
    const names: Record<string, string> = { '#status': 'status', '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#version': 'version', '#gsi1pk': 'gsi1pk', '#gsi3pk': 'gsi3pk', '#statusLog': 'statusLog' };
    const values: Record<string, unknown> = {
      ':to': to,
      ':entry': [{ at, status: to, ...entry }],
      // The status history, in the same write: the events for integrators are named by their place in it.
      ':log': [{ status: to, at }],
      ':noLog': [],
      ':at': at,
      ':one': 1,
      // Both index keys in their sharded form: an order written before the split moves out of the legacy
      // partitions with its next transition, in the same write.
      ':gsi1pk': orderIndexKeys.collection(id),
      ':gsi3pk': orderIndexKeys.status(to, id),
    };
    const sets = ['#status = :to', '#timeline = list_append(#timeline, :entry)', '#statusLog = list_append(if_not_exists(#statusLog, :noLog), :log)', '#updatedAt = :at', '#version = #version + :one', '#gsi1pk = :gsi1pk', '#gsi3pk = :gsi3pk'];
    sets.push(...assignments(options.set ?? {}, names, values));
    const fromList = from.map((_, i) => `:from${i}`);
    from.forEach((status, i) => (values[`:from${i}`] = status));
    let condition = `attribute_exists(pk) AND #status IN (${fromList.join(', ')})`;
    if (options.stockIs) {
      names['#stockIs'] = 'stock';
      values[':stockIs'] = options.stockIs;
      condition += ' AND #stockIs = :stockIs';
    }
    return {
      TableName: config.tableName(),
      Key: keys.order(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  },

  /** The order's half of a stock release (status unchanged): RESERVED → RELEASED, at most once. */
  stockReleaseUpdate(id: string, at: string) {
    return {
      TableName: config.tableName(),
      Key: keys.order(id),
      UpdateExpression: 'SET stock = :released, updatedAt = :at, #version = #version + :one',
      ConditionExpression: 'stock = :reserved',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':released': 'RELEASED', ':reserved': 'RESERVED', ':at': at, ':one': 1 },
    };
  },

  /** Conditional status change; throws OrderStateConflict (with the current order) when not allowed. */
  async transition(id: string, to: OrderStatus, entry: Omit<TimelineEntry, 'at' | 'status'>, options: TransitionOptions = {}): Promise<Order> {
    try {
      const { Attributes } = await ddb().send(new UpdateCommand({ ...this.transitionUpdate(id, to, entry, options), ReturnValues: 'ALL_NEW' }));
      return stripKeys(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new OrderStateConflict(id, await this.get(id), to);
      throw error;
    }
  },

  /** A timeline entry without a status change (e.g. a reconciler repair); no-op if the order is gone. */
  async note(id: string, entry: Omit<TimelineEntry, 'at'>, set: Partial<Pick<Order, 'needsAttention' | 'workflowRun'>> = {}, condition?: { workflowRun: number; status: Order['status'] }) {
    const at = new Date().toISOString();
    const names: Record<string, string> = { '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#version': 'version' };
    const values: Record<string, unknown> = { ':entry': [{ at, ...entry }], ':at': at, ':one': 1 };
    const sets = ['#timeline = list_append(#timeline, :entry)', '#updatedAt = :at', '#version = #version + :one', ...assignments(set, names, values)];
    let conditionExpression = 'attribute_exists(pk)';
    if (condition) {
      names['#run'] = 'workflowRun';
      values[':run'] = condition.workflowRun;
      conditionExpression += condition.workflowRun === 1 ? ' AND (attribute_not_exists(#run) OR #run = :run)' : ' AND #run = :run';
      // Claimed only while the order is where the claimer saw it: a run that just moved it on wins.
      names['#status'] = 'status';
      values[':status'] = condition.status;
      conditionExpression += ' AND #status = :status';
    }
    try {
      await ddb().send(
        new UpdateCommand({
          TableName: config.tableName(),
          Key: keys.order(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  /** Clears `needsAttention` (the repair is done), with a timeline entry saying so. */
  async resolveNeedsAttention(id: string, entry: Omit<TimelineEntry, 'at'>): Promise<void> {
    const at = new Date().toISOString();
    await ddb().send(
      new UpdateCommand({
        TableName: config.tableName(),
        Key: keys.order(id),
        UpdateExpression: 'SET #timeline = list_append(#timeline, :entry), updatedAt = :at, #version = #version + :one REMOVE needsAttention',
        ConditionExpression: 'attribute_exists(needsAttention)',
        ExpressionAttributeNames: { '#timeline': 'timeline', '#version': 'version' },
        ExpressionAttributeValues: { ':entry': [{ at, ...entry }], ':at': at, ':one': 1 },
      }),
    ).catch((error) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  },

  async listByUser(userId: string, limit: number, cursor?: string): Promise<Page<Order>> {
    return query({
      IndexName: indexes.owner,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${userId}` },
      ScanIndexForward: false,
    }, limit, cursor);
  },

  /** Admin search: by status, or by email, or all; each optionally within [from, to]; newest first. */
  async search(q: OrderQuery): Promise<Page<Order>> {
    // Email and status together: query by email (the narrower set) and filter by status.
    const filter = q.email && q.status ? { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': q.status } } : undefined;
    const page = await mergedOrderQuery({ list: orderList(q), limit: q.limit, cursor: q.cursor, filter });
    return { items: page.items.map(stripKeys), nextCursor: page.nextCursor };
  },
};

async function query(input: Omit<QueryCommandInput, 'TableName'>, limit: number, cursor?: string): Promise<Page<Order>> {
  const { Items, LastEvaluatedKey } = await ddb().send(
    new QueryCommand({ TableName: config.tableName(), ...input, Limit: limit, ExclusiveStartKey: decodeCursor(cursor) }),
  );
  return { items: (Items ?? []).map(stripKeys), nextCursor: encodeCursor(LastEvaluatedKey) };
}
