import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import type { OrderStatus } from '../domain/order';
import type { ReturnRecord, ReturnStatus } from '../domain/returns';
import { returnCounterKey } from '../domain/shipments';
import { indexes, keys } from './keys';
import { failedConditions, transactWrite } from './transactions';

/**
 * Returns live in their order's partition (`RETURN#<id>`), listed by status (gsi3 `RETURN_STATUS#…`) and all
 * together (gsi1 `RETURNS`). The order's `RETURNS` item counts the units held by returns per (shipment, SKU),
 * one attribute each: a request adds to it conditioned on the count staying within what was delivered, so
 * concurrent requests can never together exceed it; a rejection or a short receipt gives units back.
 */
const table = () => config.tableName();
const counterName = (shipmentId: string, sku: string) => `n_${returnCounterKey(shipmentId, sku)}`;

const indexKeys = (r: Pick<ReturnRecord, 'id' | 'status' | 'createdAt'>) => ({
  gsi1pk: 'RETURNS',
  gsi1sk: `${r.createdAt}#${r.id}`,
  gsi3pk: `RETURN_STATUS#${r.status}`,
  gsi3sk: `${r.createdAt}#${r.id}`,
});

const strip = (item: Record<string, unknown>): ReturnRecord => {
  const { pk, sk, gsi1pk, gsi1sk, gsi3pk, gsi3sk, entity, ...rest } = item;
  return rest as unknown as ReturnRecord;
};

export class ReturnLimitExceeded extends Error {
  constructor(readonly skus: string[]) {
    super(`More units of ${skus.join(', ')} than remain returnable`);
  }
}
export class ReturnStateConflict extends Error {
  constructor(readonly current: ReturnRecord | undefined) {
    super(`Return ${current?.id ?? 'missing'} is ${current?.status ?? 'missing'}`);
  }
}

type Item = Parameters<typeof transactWrite>[0][number];

/** The order's timeline entry for a return step, inside the step's transaction. */
function orderNote(orderId: string, entry: { at: string; status: OrderStatus; actor: string; reason: string }): Item {
  return {
    Update: {
      TableName: table(),
      Key: keys.order(orderId),
      UpdateExpression: 'SET #timeline = list_append(#timeline, :entry), updatedAt = :at, #version = #version + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#timeline': 'timeline', '#version': 'version' },
      ExpressionAttributeValues: { ':entry': [entry], ':at': entry.at, ':one': 1 },
    },
  };
}

/** Gives units back to the counters (a rejection, or requested units that never arrived). */
function releaseCounts(orderId: string, lines: { shipmentId: string; sku: string; quantity: number }[]): Item | undefined {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = lines
    .filter((l) => l.quantity > 0)
    .map((l, i) => {
      names[`#c${i}`] = counterName(l.shipmentId, l.sku);
      values[`:q${i}`] = l.quantity;
      return `#c${i} = #c${i} - :q${i}`;
    });
  if (!sets.length) return undefined;
  return { Update: { TableName: table(), Key: keys.returnCounts(orderId), UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

/** The return's status change, conditioned on the status it must leave. */
function statusUpdate(r: ReturnRecord, from: ReturnStatus, to: ReturnStatus, at: string, actor: string, reason: string, set: Record<string, unknown> = {}): Item {
  const names: Record<string, string> = { '#status': 'status', '#timeline': 'timeline', '#version': 'version', '#gsi3pk': 'gsi3pk' };
  const values: Record<string, unknown> = { ':from': from, ':to': to, ':at': at, ':one': 1, ':gsi3pk': `RETURN_STATUS#${to}`, ':entry': [{ at, status: to, actor, reason }] };
  const sets = ['#status = :to', '#gsi3pk = :gsi3pk', 'updatedAt = :at', '#version = #version + :one', '#timeline = list_append(#timeline, :entry)'];
  Object.entries(set).forEach(([field, value], i) => {
    if (value === undefined) return;
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  return {
    Update: {
      TableName: table(),
      Key: keys.orderReturn(r.orderId, r.id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :from',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export const returnsStore = {
  async get(orderId: string, id: string): Promise<ReturnRecord | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.orderReturn(orderId, id), ConsistentRead: true }));
    return Item ? strip(Item) : undefined;
  },

  /** Units held by returns per `<shipmentId>#<sku>`. */
  async counts(orderId: string): Promise<Record<string, number>> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: keys.returnCounts(orderId), ConsistentRead: true }));
    return Object.fromEntries(Object.entries(Item ?? {}).flatMap(([name, value]) => (name.startsWith('n_') ? [[name.slice(2), Number(value)]] : [])));
  },

  async listByOrder(orderId: string): Promise<ReturnRecord[]> {
    const { Items } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.order(orderId).pk, ':prefix': 'RETURN#' },
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map(strip).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  },

  /** The returns queue: one status (oldest first, the order to work it in) or every return (newest first). */
  async list(status: ReturnStatus | undefined, limit: number, cursor?: string): Promise<Page<ReturnRecord>> {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: table(),
        IndexName: status ? indexes.status : indexes.collection,
        KeyConditionExpression: status ? 'gsi3pk = :pk' : 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': status ? `RETURN_STATUS#${status}` : 'RETURNS' },
        ScanIndexForward: Boolean(status),
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (Items ?? []).map(strip), nextCursor: encodeCursor(LastEvaluatedKey) };
  },

  /**
   * A new return and its units, in one transaction: the counters refuse (ReturnLimitExceeded) when any
   * (shipment, SKU) would exceed `limits` (the delivered units), whatever other requests did meanwhile.
   */
  async create(r: ReturnRecord, limits: Record<string, number>, orderStatus: OrderStatus): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':zero': 0 };
    const sets: string[] = [];
    const conditions: string[] = [];
    r.items.forEach((line, i) => {
      const key = returnCounterKey(line.shipmentId, line.sku);
      names[`#c${i}`] = counterName(line.shipmentId, line.sku);
      values[`:q${i}`] = line.quantity;
      values[`:max${i}`] = (limits[key] ?? 0) - line.quantity;
      sets.push(`#c${i} = if_not_exists(#c${i}, :zero) + :q${i}`);
      conditions.push(`(attribute_not_exists(#c${i}) AND :zero <= :max${i} OR #c${i} <= :max${i})`);
    });
    try {
      await transactWrite(
        [
          {
            Update: {
              TableName: table(),
              Key: keys.returnCounts(r.orderId),
              UpdateExpression: `SET ${sets.join(', ')}, entity = :entity`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ':entity': 'RETURN_COUNTS' },
            },
          },
          { Put: { TableName: table(), Item: { ...keys.orderReturn(r.orderId, r.id), entity: 'RETURN', ...indexKeys(r), ...r }, ConditionExpression: 'attribute_not_exists(pk)' } },
          orderNote(r.orderId, { at: r.createdAt, status: orderStatus, actor: r.timeline[0]!.actor, reason: `Return ${r.id} requested` }),
        ],
        { operation: 'return' },
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) throw new ReturnLimitExceeded([...new Set(r.items.map((l) => l.sku))]);
      throw error;
    }
  },

  /** Claims a tracking number for the return label (once: a retried approval reuses it). */
  async claimTrackingNumber(r: ReturnRecord, trackingNumber: string): Promise<string> {
    try {
      const { Attributes } = await ddb().send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.orderReturn(r.orderId, r.id),
          UpdateExpression: 'SET trackingNumber = if_not_exists(trackingNumber, :tn)',
          ConditionExpression: 'attribute_exists(pk) AND #status = :requested',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':tn': trackingNumber, ':requested': 'REQUESTED' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return String(Attributes!.trackingNumber);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ReturnStateConflict(await this.get(r.orderId, r.id));
      throw error;
    }
  },

  /** Applies a status change with its extra items (counters, tracking record) and the order's timeline entry. */
  async transition(
    r: ReturnRecord,
    change: { from: ReturnStatus; to: ReturnStatus; at: string; actor: string; reason: string; orderStatus: OrderStatus; set?: Record<string, unknown>; release?: { shipmentId: string; sku: string; quantity: number }[]; extra?: Item[] },
  ): Promise<ReturnRecord> {
    const release = change.release ? releaseCounts(r.orderId, change.release) : undefined;
    try {
      await transactWrite(
        [
          statusUpdate(r, change.from, change.to, change.at, change.actor, change.reason, change.set),
          orderNote(r.orderId, { at: change.at, status: change.orderStatus, actor: change.actor, reason: `Return ${r.id}: ${change.reason}` }),
          ...(release ? [release] : []),
          ...(change.extra ?? []),
        ],
        { operation: 'return' },
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && failedConditions(error).includes(0)) throw new ReturnStateConflict(await this.get(r.orderId, r.id));
      throw error;
    }
    return (await this.get(r.orderId, r.id))!;
  },
};

/**
 * The carrier delivered a return parcel (its tracking number carries the return id): the return records
 * when it arrived, once. False when it was recorded already or the return is not APPROVED.
 */
export async function returnArrived(orderId: string, returnId: string, input: { at: string; eventId: string }): Promise<boolean> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.orderReturn(orderId, returnId),
        UpdateExpression: 'SET arrivedAt = :at, arrivalEventId = :event',
        ConditionExpression: 'attribute_exists(pk) AND #status = :approved AND attribute_not_exists(arrivedAt)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': input.at, ':event': input.eventId, ':approved': 'APPROVED' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
