import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import type { EventScope, EventType } from '../webhooks/events';
import type { StoredSecret } from '../webhooks/signature';

/**
 * Webhook subscriptions (SPEC.md "Events for integrators"): one item each, `WEBHOOK_SUB#<id>` /
 * `SUBSCRIPTION`, listed through gsi1 (`WEBHOOK_SUBS`, by creation time). The signing secrets live on the
 * item (the table is encrypted with the service's KMS key) and are never returned by the API after the
 * answer that created or rotated them. The subscription's deliveries share its partition
 * (functions/adapters/event-store.ts). `WEBHOOK_SUBS` / `COUNT` counts them: a create increments it under the
 * condition `count < MAX_SUBSCRIPTIONS` in the create's own transaction, a delete decrements it in the
 * delete's, so concurrent creates cannot together pass the cap.
 */
export interface Subscription {
  id: string;
  url: string;
  /** Event types, or ['*'] for every type. */
  events: (EventType | '*')[];
  active: boolean;
  scope: EventScope;
  /** `failing` once a delivery gave up after the retry window; back to `ok` when a delivery succeeds. */
  health: 'ok' | 'failing';
  failingSince?: string;
  secrets: StoredSecret[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const SUBSCRIPTIONS = 'WEBHOOK_SUBS';
/** A fan-out writes one delivery per subscription in the event's transaction (100 items at most). */
export const MAX_SUBSCRIPTIONS = 25;

export const subscriptionKey = (id: string) => ({ pk: `WEBHOOK_SUB#${id}`, sk: 'SUBSCRIPTION' });
const counterKey = { pk: SUBSCRIPTIONS, sk: 'COUNT' };

export class SubscriptionNotFound extends Error {
  override readonly name = 'SubscriptionNotFound';
}

/** The cap is reached: the create wrote nothing. */
export class TooManySubscriptions extends Error {
  override readonly name = 'TooManySubscriptions';
}

const cancelled = (error: unknown, index: number) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

const strip = (item: Record<string, unknown>): Subscription => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, entity: _e, ...rest } = item;
  return rest as unknown as Subscription;
};

export const subscriptionStore = {
  /** Creates the subscription and counts it, in one transaction: TooManySubscriptions at the cap. */
  async create(subscription: Subscription): Promise<void> {
    for (let round = 0; ; round++) {
      try {
        await ddb().send(new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: config.tableName(),
                Key: counterKey,
                UpdateExpression: 'SET #count = #count + :one',
                ConditionExpression: '#count < :max',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': 1, ':max': MAX_SUBSCRIPTIONS },
              },
            },
            {
              Put: {
                TableName: config.tableName(),
                Item: { ...subscriptionKey(subscription.id), entity: 'WEBHOOK_SUBSCRIPTION', gsi1pk: SUBSCRIPTIONS, gsi1sk: `${subscription.createdAt}#${subscription.id}`, ...subscription },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }));
        return;
      } catch (error) {
        if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict') && round < 20) {
          // Another create or delete holds the counter right now: try again shortly.
          await new Promise((r) => setTimeout(r, Math.random() * 20 * (round + 1)));
          continue;
        }
        if (!cancelled(error, 0)) throw error;
        // At the cap, or no counter yet (subscriptions made before it existed: counted once here), or it
        // moved under the cap since: retry.
        if ((await counted()) >= MAX_SUBSCRIPTIONS || round >= 20) throw new TooManySubscriptions();
      }
    }
  },

  async get(id: string, consistent = true): Promise<Subscription | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: subscriptionKey(id), ConsistentRead: consistent }));
    return Item ? strip(Item) : undefined;
  },

  /** Every subscription, oldest first (there are at most MAX_SUBSCRIPTIONS). */
  async list(): Promise<Subscription[]> {
    const out: Subscription[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb().send(new QueryCommand({
        TableName: config.tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': SUBSCRIPTIONS },
        ExclusiveStartKey: start,
      }));
      out.push(...(page.Items ?? []).map(strip));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  },

  /** Sets fields on an existing subscription (conditional on its version: no lost update). */
  async update(id: string, expectedVersion: number, fields: Partial<Omit<Subscription, 'id' | 'createdAt' | 'version'>>): Promise<Subscription> {
    const entries = Object.entries({ ...fields, updatedAt: new Date().toISOString() }).filter(([, v]) => v !== undefined);
    try {
      const { Attributes } = await ddb().send(new UpdateCommand({
        TableName: config.tableName(),
        Key: subscriptionKey(id),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}, version = version + :one`,
        ConditionExpression: 'attribute_exists(pk) AND version = :version',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: { ...Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v])), ':one': 1, ':version': expectedVersion },
        ReturnValues: 'ALL_NEW',
      }));
      return strip(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new SubscriptionNotFound(id);
      throw error;
    }
  },

  /** Health changes come from deliveries: unconditional on version, and only when the health differs. */
  async setHealth(id: string, health: 'ok' | 'failing'): Promise<boolean> {
    try {
      await ddb().send(new UpdateCommand({
        TableName: config.tableName(),
        Key: subscriptionKey(id),
        UpdateExpression: health === 'failing' ? 'SET health = :h, failingSince = :now' : 'SET health = :h REMOVE failingSince',
        ConditionExpression: 'attribute_exists(pk) AND health <> :h',
        ExpressionAttributeValues: { ':h': health, ...(health === 'failing' ? { ':now': new Date().toISOString() } : {}) },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  /** Deletes the subscription and uncounts it, in one transaction; false if there was none. */
  async delete(id: string): Promise<boolean> {
    for (let round = 0; ; round++) {
      try {
        await ddb().send(new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: config.tableName(), Key: subscriptionKey(id), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Update: {
                TableName: config.tableName(),
                Key: counterKey,
                UpdateExpression: 'SET #count = #count - :one',
                ConditionExpression: '#count > :zero',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
              },
            },
          ],
        }));
        return true;
      } catch (error) {
        if (cancelled(error, 0)) return false;
        if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict') && round < 20) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * (round + 1)));
          continue;
        }
        if (!cancelled(error, 1)) throw error;
        // No counter yet: count the subscriptions (this one included), then delete as above. A counter at 0
        // beside a subscription cannot be decremented: delete it alone.
        if ((await counted()) > 0 && round < 20) continue;
        const { Attributes } = await ddb().send(new DeleteCommand({ TableName: config.tableName(), Key: subscriptionKey(id), ReturnValues: 'ALL_OLD' }));
        return Boolean(Attributes);
      }
    }
  },
};

/**
 * The counter's value; for subscriptions made before it existed, their number, written only if there is no
 * counter yet (a racing initializer wins, and the loser reads its count).
 */
async function counted(): Promise<number> {
  const read = async () => (await ddb().send(new GetCommand({ TableName: config.tableName(), Key: counterKey, ConsistentRead: true }))).Item;
  const item = await read();
  if (item) return Number(item.count);
  const count = (await subscriptionStore.list()).length;
  try {
    await ddb().send(new PutCommand({ TableName: config.tableName(), Item: { ...counterKey, entity: 'WEBHOOK_SUB_COUNT', count }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return count;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return Number((await read())?.count ?? count);
  }
}
