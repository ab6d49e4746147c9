import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import { indexes, keys, paymentIndexKeys, paymentIndexPartitions } from './keys';
import { mergedIndexQuery } from './sharded-index';
import { toSummary, type PaymentRecord, type PaymentStatus } from '../payments/payment';
import type { NeedsAttention, OrderStatus } from '../domain/order';

/**
 * DynamoDB persistence of payment records: `{ pk: ORDER#<id>, sk: PAYMENT }` next to the order, listed through
 * gsi1 (PAYMENTS#<n>, newest first) and gsi3 (PAYMENT_STATUS#<status>#<n>), both sharded by order id
 * (keys.ts PAYMENT_INDEX_SHARDS) and read through the merge of sharded-index.ts.
 *
 * Every save is one transaction: the payment record (conditional on the version read), the order's `payment`
 * summary and, for webhooks, the processed-event marker. So the order never shows a payment state the record
 * does not have, and a webhook event is applied exactly once. (orderStore.update is a separate write, which
 * could leave the two out of step if the second write failed; hence the transaction.)
 */

/** Another writer changed the record since it was read: re-read and decide again. */
export class PaymentVersionConflict extends Error {
  override readonly name = 'PaymentVersionConflict';
}
/** The webhook event marker already exists: this event was processed before. */
export class DuplicateEvent extends Error {
  override readonly name = 'DuplicateEvent';
}
export class OrderMissing extends Error {
  override readonly name = 'OrderMissing';
}

/** Payment intent id → order id, for provider events whose object lacks metadata (e.g. some charges). */
export const intentRefKey = (intentId: string) => ({ pk: `PAYMENT_INTENT#${intentId}`, sk: 'PAYMENT_INTENT' });

const WEBHOOK_MARKER_TTL_SECONDS = 30 * 24 * 3600;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

function item(record: PaymentRecord) {
  const sortKey = `${record.createdAt}#${record.orderId}`;
  return {
    ...keys.payment(record.orderId),
    entity: 'PAYMENT',
    gsi1pk: paymentIndexKeys.collection(record.orderId),
    gsi1sk: sortKey,
    gsi3pk: paymentIndexKeys.status(record.status, record.orderId),
    gsi3sk: sortKey,
    // Disputed payments: every dispute (gsi4 DISPUTES) and by dispute status (gsi2), newest dispute first.
    // Unsharded: only a disputed payment carries them, and disputes come days later, a few per thousand
    // orders, from the provider's webhooks, never on a sale's write path (docs/decisions.md 2026-12-02).
    ...(record.dispute
      ? {
          gsi2pk: `DISPUTE_STATUS#${record.dispute.status}`,
          gsi2sk: `${record.dispute.openedAt ?? record.createdAt}#${record.orderId}`,
          gsi4pk: DISPUTES,
          gsi4sk: `${record.dispute.openedAt ?? record.createdAt}#${record.orderId}`,
        }
      : {}),
    ...record,
  };
}

const DISPUTES = 'DISPUTES';

function fromItem(raw: Record<string, unknown>): PaymentRecord {
  const { pk, sk, entity, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk, ...record } = raw;
  return record as unknown as PaymentRecord;
}

export interface SaveOptions {
  /** Also refresh `order.payment` (default true; false for bookkeeping-only changes such as claiming a refund). */
  syncOrder?: boolean;
  /** Webhook event marker written in the same transaction; its existence cancels the whole save. */
  webhookEvent?: { source: string; eventId: string; type: string };
  /**
   * Also, in the same transaction: a timeline entry on the order, conditional on the status the caller read
   * (the entry carries it), and setting `needsAttention` (kept if one is already set) or clearing it.
   * A changed status cancels the save with PaymentVersionConflict: re-read and decide again.
   */
  orderNote?: { status: OrderStatus; actor: string; reason: string; needsAttention?: NeedsAttention; clearAttention?: boolean };
}

/** One page of an index partition, newest first. */
async function newestFirst(index: string, pkName: string, pkValue: string, page: { limit: number; cursor?: string }): Promise<Page<PaymentRecord>> {
  const { Items, LastEvaluatedKey } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      IndexName: index,
      KeyConditionExpression: `${pkName} = :pk`,
      ExpressionAttributeValues: { ':pk': pkValue },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor),
    }),
  );
  return { items: (Items ?? []).map(fromItem), nextCursor: encodeCursor(LastEvaluatedKey) };
}

export const paymentStore = {
  async get(orderId: string): Promise<PaymentRecord | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.payment(orderId), ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  },

  /**
   * Writes `record` as version `expectedVersion + 1` (a new record when expectedVersion is undefined).
   * Throws PaymentVersionConflict, DuplicateEvent or OrderMissing when the matching condition fails.
   */
  async save(record: PaymentRecord, expectedVersion: number | undefined, options: SaveOptions = {}): Promise<PaymentRecord> {
    const table = config.tableName();
    const saved: PaymentRecord = { ...record, version: (expectedVersion ?? 0) + 1 };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: item(saved),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': expectedVersion } }),
        },
      },
    ];
    if (options.syncOrder !== false) {
      const names: Record<string, string> = { '#payment': 'payment', '#updatedAt': 'updatedAt', '#version': 'version' };
      const values: Record<string, unknown> = { ':payment': toSummary(saved), ':at': saved.updatedAt, ':one': 1 };
      const sets = ['#payment = :payment', '#updatedAt = :at', '#version = #version + :one'];
      let remove = '';
      let condition = 'attribute_exists(pk)';
      const note = options.orderNote;
      if (note) {
        names['#timeline'] = 'timeline';
        names['#status'] = 'status';
        values[':entry'] = [{ at: saved.updatedAt, status: note.status, actor: note.actor, reason: note.reason }];
        values[':noteStatus'] = note.status;
        sets.push('#timeline = list_append(#timeline, :entry)');
        condition += ' AND #status = :noteStatus';
        if (note.needsAttention) {
          names['#needsAttention'] = 'needsAttention';
          values[':needsAttention'] = note.needsAttention;
          sets.push('#needsAttention = if_not_exists(#needsAttention, :needsAttention)');
        } else if (note.clearAttention) {
          names['#needsAttention'] = 'needsAttention';
          remove = ' REMOVE #needsAttention';
        }
      }
      items.push({
        Update: {
          TableName: table,
          Key: keys.order(record.orderId),
          UpdateExpression: `SET ${sets.join(', ')}${remove}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      });
    }
    if (saved.intentId) {
      // Idempotent lookup item; rewritten with the same content on every save, which costs one small write.
      items.push({ Put: { TableName: table, Item: { ...intentRefKey(saved.intentId), entity: 'PAYMENT_INTENT', orderId: saved.orderId, provider: saved.provider } } });
    }
    const markerIndex = items.length;
    if (options.webhookEvent) items.push({ Put: webhookMarker(options.webhookEvent) });
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: items }));
      return saved;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (options.webhookEvent && reasons[markerIndex]?.Code === 'ConditionalCheckFailed') throw new DuplicateEvent(options.webhookEvent.eventId);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new PaymentVersionConflict(`Payment of order ${record.orderId} changed meanwhile`);
      if (options.syncOrder !== false && reasons[1]?.Code === 'ConditionalCheckFailed') {
        if (options.orderNote) throw new PaymentVersionConflict(`Order ${record.orderId} changed status meanwhile`);
        throw new OrderMissing(record.orderId);
      }
      throw error;
    }
  },

  /** Records a webhook event as processed without changing any payment (unknown intent, no-op event). */
  async markEvent(event: { source: string; eventId: string; type: string }): Promise<'recorded' | 'duplicate'> {
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: [{ Put: webhookMarker(event) }] }));
      return 'recorded';
    } catch (error) {
      if (error instanceof TransactionCanceledException) return 'duplicate';
      throw error;
    }
  },

  async eventSeen(source: string, eventId: string): Promise<boolean> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.webhookEvent(source, eventId), ConsistentRead: true }));
    return Boolean(Item);
  },

  async orderIdForIntent(intentId: string): Promise<string | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: intentRefKey(intentId), ConsistentRead: true }));
    return Item?.orderId as string | undefined;
  },

  /** Disputed payments, newest dispute first; by dispute status through gsi2, otherwise all through gsi4. */
  async listDisputes(query: { status?: string; limit: number; cursor?: string }): Promise<Page<PaymentRecord>> {
    const [index, pkName, pkValue] = query.status ? [indexes.owner, 'gsi2pk', `DISPUTE_STATUS#${query.status}`] : [indexes.email, 'gsi4pk', DISPUTES];
    return newestFirst(index, pkName, pkValue, query);
  },

  /**
   * Newest first; by status through gsi3, otherwise every payment through gsi1: every shard plus the legacy
   * key, merged by sort key (cursors handed out before the split still resume where they were).
   */
  async list(query: { status?: PaymentStatus; limit: number; cursor?: string }): Promise<Page<PaymentRecord>> {
    const list = query.status
      ? { index: indexes.status, pkName: 'gsi3pk', skName: 'gsi3sk', partitions: paymentIndexPartitions.status(query.status) }
      : { index: indexes.collection, pkName: 'gsi1pk', skName: 'gsi1sk', partitions: paymentIndexPartitions.collection() };
    const page = await mergedIndexQuery({ list, limit: query.limit, cursor: query.cursor });
    return { items: page.items.map(fromItem), nextCursor: page.nextCursor };
  },
};

function webhookMarker(event: { source: string; eventId: string; type: string }) {
  const now = Date.now();
  return {
    TableName: config.tableName(),
    Item: {
      ...keys.webhookEvent(event.source, event.eventId),
      entity: 'WEBHOOK_EVENT',
      type: event.type,
      receivedAt: new Date(now).toISOString(),
      expiresAt: Math.floor(now / 1000) + WEBHOOK_MARKER_TTL_SECONDS,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}
