import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../commons/clients';
import { config } from '../../commons/config';
import type { TrackingEvent, TrackingStatus } from '../../domain/tracking';
import { keys } from '../keys';

/** The private shipment record of an order (one per order). PENDING holds a claimed tracking number. */
export interface ShipmentItem {
  orderId: string;
  /** S1 when absent (orders labelled before split shipments). */
  shipmentId?: string;
  state: 'PENDING' | 'CREATED';
  trackingNumber: string;
  trackingUrl?: string;
  carrier: string;
  service: string;
  labelKeys?: { pdf: string; zpl: string };
  createdAt: string;
  updatedAt: string;
}

/** The public tracking record: status and events only, plus the order id to route carrier events. */
export interface TrackingItem {
  trackingNumber: string;
  orderId: string;
  /** Which shipment of the order (S1 when absent), or which return, the number belongs to. */
  shipmentId?: string;
  returnId?: string;
  status: TrackingStatus;
  events: TrackingEvent[];
  /** Keys of applied events (domain/tracking.ts trackingEventKey), for idempotent appends. */
  eventKeys: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

const WEBHOOK_EVENT_TTL_SECONDS = 30 * 24 * 3600;

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export const shipmentStore = {
  async getShipment(orderId: string, shipmentId = 'S1'): Promise<ShipmentItem | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: keys.shipmentPart(orderId, shipmentId), ConsistentRead: true }));
    return Item as ShipmentItem | undefined;
  },

  async getTracking(trackingNumber: string, consistent = true): Promise<TrackingItem | undefined> {
    const { Item } = await ddb().send(
      new GetCommand({ TableName: config.tableName(), Key: keys.tracking(trackingNumber), ConsistentRead: consistent }),
    );
    return Item as TrackingItem | undefined;
  },

  async webhookEventSeen(eventId: string): Promise<boolean> {
    const { Item } = await ddb().send(
      new GetCommand({ TableName: config.tableName(), Key: keys.webhookEvent('carrier', eventId), ConsistentRead: true }),
    );
    return Item !== undefined;
  },

  /** Claims the order's shipment with a tracking number; false when another attempt claimed it first. */
  async claimShipment(item: ShipmentItem): Promise<boolean> {
    try {
      await ddb().send(
        new PutCommand({
          TableName: config.tableName(),
          Item: { ...keys.shipmentPart(item.orderId, item.shipmentId ?? 'S1'), entity: 'SHIPMENT', ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },

  /** Completes a PENDING shipment (the same tracking number only) and creates its tracking record. */
  completeShipmentItems(shipment: ShipmentItem & { state: 'CREATED' }, tracking: TrackingItem): TransactItem[] {
    return [
      {
        Update: {
          TableName: config.tableName(),
          Key: keys.shipmentPart(shipment.orderId, shipment.shipmentId ?? 'S1'),
          UpdateExpression: 'SET #state = :created, trackingUrl = :url, labelKeys = :labels, updatedAt = :at',
          ConditionExpression: 'trackingNumber = :tn AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':created': 'CREATED',
            ':pending': 'PENDING',
            ':url': shipment.trackingUrl,
            ':labels': shipment.labelKeys,
            ':at': shipment.updatedAt,
            ':tn': shipment.trackingNumber,
          },
        },
      },
      {
        Put: {
          TableName: config.tableName(),
          Item: { ...keys.tracking(tracking.trackingNumber), entity: 'TRACKING', ...tracking },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
  },

  /** Optimistic update of a tracking record: fails if anyone changed it since `expectedVersion`. */
  trackingUpdate(trackingNumber: string, expectedVersion: number, next: Pick<TrackingItem, 'status' | 'events' | 'eventKeys'>, at: string): TransactItem {
    return {
      Update: {
        TableName: config.tableName(),
        Key: keys.tracking(trackingNumber),
        UpdateExpression: 'SET #status = :status, events = :events, eventKeys = :keys, updatedAt = :at, version = :next',
        ConditionExpression: 'version = :expected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': next.status,
          ':events': next.events,
          ':keys': next.eventKeys,
          ':at': at,
          ':expected': expectedVersion,
          ':next': expectedVersion + 1,
        },
      },
    };
  },

  /** Marks a carrier event id as processed (inside the same transaction as its effects). */
  webhookEventPut(eventId: string, details: { trackingNumber: string; status: string }, receivedAt: Date): TransactItem {
    return {
      Put: {
        TableName: config.tableName(),
        Item: {
          ...keys.webhookEvent('carrier', eventId),
          entity: 'WEBHOOK_EVENT',
          source: 'carrier',
          eventId,
          ...details,
          receivedAt: receivedAt.toISOString(),
          expiresAt: Math.floor(receivedAt.getTime() / 1000) + WEBHOOK_EVENT_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  },

  /**
   * Runs a transaction; on a condition failure returns the indexes of the items whose condition failed
   * (so callers can tell "duplicate event" from "order changed") instead of throwing.
   */
  async transact(items: TransactItem[]): Promise<{ ok: true } | { ok: false; failed: number[]; conflict: boolean }> {
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException') {
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
        // TransactionConflict: another transaction touched the same item at the same moment; callers re-read and retry.
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
        if (failed.length || conflict) return { ok: false, failed, conflict };
      }
      throw error;
    }
  },
};
