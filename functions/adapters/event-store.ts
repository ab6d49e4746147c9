import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import type { IntegrationEvent, PendingEvent } from '../webhooks/events';
import type { PaymentRecord } from '../payments/payment';
import type { ReturnRecord } from '../domain/returns';
import { subscriptionKey, type Subscription } from './webhook-store';

/**
 * Integration events and their webhook deliveries.
 *
 *   EVENT#<id>        / EVENT        the event id claimed once (a redelivered stream record adds nothing),
 *                                    with the event's stream and sequence (replay by id finds it here)
 *   EVENTS#<stream>   / HEAD         the stream's last sequence: each event is HEAD + 1 (gapless per stream)
 *   EVENTS#<stream>   / SEQ#<n>      the event; gsi1 EVENTS by createdAt (replay by time range)
 *   WEBHOOK_SUB#<sub> / DELIVERY#<stream>#<n>  one delivery per (subscription, event), written in the
 *                                    event's own transaction, so an earlier event's delivery always exists
 *                                    before a later one's (per-order order needs nothing else)
 *   WEBHOOK_SUB#<sub> / REPLAY#<replay>#<event id>  a replayed delivery, outside the per-order order
 *
 * A delivery is `pending` until a 2xx (`delivered`), the retry window ends (`failed`) or its subscription is
 * gone or inactive (`cancelled`). While pending it is on gsi3 (`WEBHOOK_DUE`, by nextAttemptAt), the queue
 * the dispatcher sweeps; every delivery is on gsi1 (`WEBHOOK_DELIVERIES#<sub>`, newest first: the log).
 */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface Attempt {
  at: string;
  status?: number;
  latencyMs: number;
  error?: string;
}

export interface Delivery {
  pk: string;
  sk: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  stream: string;
  sequence: number;
  kind: 'delivery' | 'replay';
  state: DeliveryState;
  attempts: Attempt[];
  attemptCount: number;
  nextAttemptAt?: string;
  firstAttemptAt?: string;
  deliveredAt?: string;
  createdAt: string;
  leaseUntil?: number;
  leaseToken?: string;
}

/** The log keeps the last attempts of a delivery (attemptCount counts them all). */
export const MAX_LOGGED_ATTEMPTS = 25;
export const DUE = 'WEBHOOK_DUE';
export const EVENTS = 'EVENTS';

const pad = (n: number) => String(n).padStart(10, '0');
export const eventKeys = {
  id: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  head: (stream: string) => ({ pk: `EVENTS#${stream}`, sk: 'HEAD' }),
  event: (stream: string, sequence: number) => ({ pk: `EVENTS#${stream}`, sk: `SEQ#${pad(sequence)}` }),
  delivery: (subscriptionId: string, stream: string, sequence: number) => ({ pk: subscriptionKey(subscriptionId).pk, sk: `DELIVERY#${stream}#${pad(sequence)}` }),
  replay: (subscriptionId: string, replayId: string, eventId: string) => ({ pk: subscriptionKey(subscriptionId).pk, sk: `REPLAY#${replayId}#${eventId}` }),
};
const dueSk = (at: string, key: { pk: string; sk: string }) => `${at}#${key.pk}#${key.sk}`;
const logSk = (at: string, eventId: string, kind: string) => `${at}#${eventId}#${kind}`;

function newDelivery(subscriptionId: string, key: { pk: string; sk: string }, event: Pick<IntegrationEvent, 'id' | 'type' | 'sequence'> & { stream: string }, kind: Delivery['kind'], now: string) {
  return {
    ...key,
    entity: 'WEBHOOK_DELIVERY',
    subscriptionId,
    eventId: event.id,
    eventType: event.type,
    stream: event.stream,
    sequence: event.sequence,
    kind,
    state: 'pending',
    attempts: [],
    attemptCount: 0,
    nextAttemptAt: now,
    createdAt: now,
    gsi1pk: `WEBHOOK_DELIVERIES#${subscriptionId}`,
    gsi1sk: logSk(now, event.id, kind),
    gsi3pk: DUE,
    gsi3sk: dueSk(now, key),
  };
}

export type StoredEvent = IntegrationEvent & { stream: string };

const eventOf = (item: Record<string, unknown>): StoredEvent => ({
  id: String(item.eventId),
  type: item.type as IntegrationEvent['type'],
  createdAt: String(item.createdAt),
  ...(item.orderId ? { orderId: String(item.orderId) } : {}),
  sequence: Number(item.sequence),
  data: (item.data ?? {}) as Record<string, unknown>,
  stream: String(item.stream),
});

export const eventStore = {
  /** The payment record and the returns stored beside an order (its partition): one query. */
  async orderRecords(orderId: string): Promise<{ payment?: PaymentRecord; returns: ReturnRecord[] }> {
    const out: { payment?: PaymentRecord; returns: ReturnRecord[] } = { returns: [] };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb().send(new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'entity IN (:payment, :return)',
        ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':payment': 'PAYMENT', ':return': 'RETURN' },
        ExclusiveStartKey: start,
      }));
      for (const item of page.Items ?? []) {
        if (item.entity === 'PAYMENT') out.payment = item as unknown as PaymentRecord;
        else out.returns.push(item as unknown as ReturnRecord);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  },

  /**
   * Numbers the event (its stream's HEAD + 1) and writes it with one delivery per matching subscription,
   * all in one transaction: the event id is claimed in it, so the same cause never appends twice, and a
   * racing append to the same stream loses the HEAD condition and retries with the next number.
   */
  async append(event: PendingEvent, subscriptions: readonly Subscription[]): Promise<{ appended: boolean; sequence?: number }> {
    for (let round = 0; round < 20; round++) {
      const { Item: head } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: eventKeys.head(event.stream), ConsistentRead: true }));
      const previous = Number(head?.lastSequence ?? 0);
      const sequence = previous + 1;
      const now = new Date().toISOString();
      const numbered = { ...event, sequence };
      try {
        await ddb().send(new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: config.tableName(), Item: { ...eventKeys.id(event.id), entity: 'EVENT_ID', stream: event.stream, sequence }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: config.tableName(),
                Item: { ...eventKeys.head(event.stream), entity: 'EVENT_HEAD', lastSequence: sequence },
                ConditionExpression: previous === 0 ? 'attribute_not_exists(pk)' : 'lastSequence = :previous',
                ...(previous === 0 ? {} : { ExpressionAttributeValues: { ':previous': previous } }),
              },
            },
            {
              Put: {
                TableName: config.tableName(),
                Item: {
                  ...eventKeys.event(event.stream, sequence),
                  entity: 'INTEGRATION_EVENT',
                  eventId: event.id,
                  type: event.type,
                  stream: event.stream,
                  sequence,
                  createdAt: event.createdAt,
                  ...(event.orderId ? { orderId: event.orderId } : {}),
                  data: event.data,
                  gsi1pk: EVENTS,
                  gsi1sk: `${event.createdAt}#${event.id}`,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...subscriptions.map((s) => ({ Put: { TableName: config.tableName(), Item: newDelivery(s.id, eventKeys.delivery(s.id, event.stream, sequence), numbered, 'delivery', now) } })),
          ],
        }));
        return { appended: true, sequence };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { appended: false };
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * (round + 1)));
          continue;
        }
        throw error;
      }
    }
    throw new Error(`Could not number an event of ${event.stream}: too many concurrent appends`);
  },

  /** Which of these event ids have been appended (their EVENT#<id> claim exists); one BatchGet per 100 ids. */
  async existing(eventIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: BatchGetCommandOutput['UnprocessedKeys'] | undefined = {
        [config.tableName()]: { Keys: unique.slice(i, i + 100).map(eventKeys.id), ProjectionExpression: 'pk' },
      };
      // BatchGet may return UnprocessedKeys under load: keep asking until it has answered for all.
      for (let attempt = 0; request && Object.keys(request).length; attempt++) {
        const out: BatchGetCommandOutput = await ddb().send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[config.tableName()] ?? []) found.add(String(item.pk).slice('EVENT#'.length));
        request = out.UnprocessedKeys && Object.keys(out.UnprocessedKeys).length ? out.UnprocessedKeys : undefined;
        if (request) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      }
    }
    return found;
  },

  async get(stream: string, sequence: number): Promise<StoredEvent | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: eventKeys.event(stream, sequence) }));
    return Item ? eventOf(Item) : undefined;
  },

  async byId(eventId: string): Promise<StoredEvent | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: eventKeys.id(eventId) }));
    return Item ? eventStore.get(String(Item.stream), Number(Item.sequence)) : undefined;
  },

  /** Events created in [from, to], oldest first, at most `limit`. */
  async between(from: string, to: string, limit: number): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb().send(new QueryCommand({
        TableName: config.tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': EVENTS, ':from': from, ':to': `${to}~` },
        ExclusiveStartKey: start,
        Limit: limit - out.length,
      }));
      out.push(...(page.Items ?? []).map(eventOf));
      start = page.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out;
  },
};

export interface DeliveryPage {
  items: Delivery[];
  lastKey?: Record<string, unknown>;
}

export const deliveryStore = {
  async get(key: { pk: string; sk: string }): Promise<Delivery | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: key, ConsistentRead: true }));
    return Item as Delivery | undefined;
  },

  /** Deliveries due by `now`, soonest first (eventually consistent: the claim re-checks on the item). */
  async due(now: string, limit: number): Promise<{ pk: string; sk: string }[]> {
    const { Items } = await ddb().send(new QueryCommand({
      TableName: config.tableName(),
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk <= :now',
      ExpressionAttributeValues: { ':pk': DUE, ':now': `${now}~` },
      ProjectionExpression: 'pk, sk',
      Limit: limit,
    }));
    return (Items ?? []).map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
  },

  /**
   * Takes the delivery for one attempt: only while pending, due and not leased by a live attempt. The lease
   * outlasts the attempt's timeout; a dispatcher that dies mid-attempt leaves it to expire, and the next
   * sweep attempts again (nothing is lost; the receiver may see the event twice, with the same Webhook-Id).
   */
  async claim(key: { pk: string; sk: string }, nowMs: number, leaseMs: number): Promise<{ delivery: Delivery; token: string } | undefined> {
    const token = crypto.randomUUID();
    try {
      const { Attributes } = await ddb().send(new UpdateCommand({
        TableName: config.tableName(),
        Key: key,
        UpdateExpression: 'SET leaseUntil = :until, leaseToken = :token',
        ConditionExpression: '#state = :pending AND nextAttemptAt <= :nowIso AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':until': nowMs + leaseMs, ':token': token, ':pending': 'pending', ':nowIso': new Date(nowMs).toISOString(), ':now': nowMs },
        ReturnValues: 'ALL_NEW',
      }));
      return { delivery: Attributes as Delivery, token };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  },

  /** The earliest delivery of (subscription, stream) still pending before `sequence`: the one this waits for. */
  async pendingBefore(subscriptionId: string, stream: string, sequence: number): Promise<Delivery | undefined> {
    if (sequence <= 1) return undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb().send(new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pk': subscriptionKey(subscriptionId).pk, ':from': `DELIVERY#${stream}#`, ':to': eventKeys.delivery(subscriptionId, stream, sequence - 1).sk, ':pending': 'pending' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }));
      if (page.Items?.length) return page.Items[0] as Delivery;
      start = page.LastEvaluatedKey;
    } while (start);
    return undefined;
  },

  /** The next pending delivery of (subscription, stream) after `sequence`, if any. */
  async pendingAfter(subscriptionId: string, stream: string, sequence: number): Promise<Delivery | undefined> {
    const { Items } = await ddb().send(new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':pk': subscriptionKey(subscriptionId).pk, ':from': eventKeys.delivery(subscriptionId, stream, sequence + 1).sk, ':to': `DELIVERY#${stream}#~`, ':pending': 'pending' },
      ConsistentRead: true,
    }));
    return Items?.[0] as Delivery | undefined;
  },

  /**
   * Writes an attempt's outcome, only if this attempt still holds the lease: `next` is when to try again
   * (pending), or the final state. The attempt goes into the log either way.
   */
  async recordAttempt(key: { pk: string; sk: string }, token: string, attempt: Attempt, outcome: { state: 'pending'; nextAttemptAt: string } | { state: 'delivered' | 'failed' | 'cancelled' }, firstAttemptAt: string): Promise<boolean> {
    const pending = outcome.state === 'pending';
    try {
      await ddb().send(new UpdateCommand({
        TableName: config.tableName(),
        Key: key,
        UpdateExpression: [
          'SET #state = :state, attempts = list_append(if_not_exists(attempts, :empty), :attempt), attemptCount = if_not_exists(attemptCount, :zero) + :one, firstAttemptAt = if_not_exists(firstAttemptAt, :first)',
          pending ? ', nextAttemptAt = :next, gsi3sk = :due' : outcome.state === 'delivered' ? ', deliveredAt = :at' : '',
          pending ? ' REMOVE leaseUntil, leaseToken' : ' REMOVE leaseUntil, leaseToken, nextAttemptAt, gsi3pk, gsi3sk',
        ].join(''),
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':state': outcome.state,
          ':attempt': [attempt],
          ':empty': [],
          ':zero': 0,
          ':one': 1,
          ':first': firstAttemptAt,
          ':token': token,
          ...(pending ? { ':next': outcome.nextAttemptAt, ':due': dueSk(outcome.nextAttemptAt, key) } : outcome.state === 'delivered' ? { ':at': attempt.at } : {}),
        },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  /** Gives a lease back without an attempt (cancelled, or waiting for an earlier event): due again at `at`. */
  async reschedule(key: { pk: string; sk: string }, token: string | undefined, at: string, state: 'pending' | 'cancelled' = 'pending'): Promise<boolean> {
    try {
      await ddb().send(new UpdateCommand({
        TableName: config.tableName(),
        Key: key,
        UpdateExpression: state === 'pending' ? 'SET nextAttemptAt = :at, gsi3sk = :due REMOVE leaseUntil, leaseToken' : 'SET #state = :cancelled REMOVE leaseUntil, leaseToken, nextAttemptAt, gsi3pk, gsi3sk',
        ConditionExpression: token ? 'leaseToken = :token' : '#state = :pending AND attribute_not_exists(leaseToken)',
        ...(state === 'cancelled' || !token ? { ExpressionAttributeNames: { '#state': 'state' } } : {}),
        ExpressionAttributeValues: {
          ...(state === 'pending' ? { ':at': at, ':due': dueSk(at, key) } : { ':cancelled': 'cancelled' }),
          ...(token ? { ':token': token } : { ':pending': 'pending' }),
        },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  /** A replay: a new delivery of an existing event to one subscription, due now. */
  async addReplay(subscriptionId: string, replayId: string, event: StoredEvent): Promise<void> {
    const now = new Date().toISOString();
    await ddb().send(new PutCommand({
      TableName: config.tableName(),
      Item: newDelivery(subscriptionId, eventKeys.replay(subscriptionId, replayId, event.id), event, 'replay', now),
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  },

  /** The subscription's delivery log, newest first. */
  async list(subscriptionId: string, limit: number, startKey?: Record<string, unknown>): Promise<DeliveryPage> {
    const page = await ddb().send(new QueryCommand({
      TableName: config.tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `WEBHOOK_DELIVERIES#${subscriptionId}` },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }));
    return { items: (page.Items ?? []) as Delivery[], ...(page.LastEvaluatedKey ? { lastKey: page.LastEvaluatedKey } : {}) };
  },
};
