import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import type { EventScope, EventType } from '../webhooks/events';
import type { StoredSecret } from '../webhooks/signature';

/**
 * Webhook subscriptions (SPEC.md "Events for integrators"): one item each, `WEBHOOK_SUB#<id>` /
 * `SUBSCRIPTION`, listed through gsi1 (`WEBHOOK_SUBS`, by creation time). The signing secrets live on the
 * item (the table is encrypted with the service's KMS key) and are never returned by the API after the
 * answer that created or rotated them. The subscription's deliveries share its partition
 * (functions/adapters/event-store.ts).
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

export class SubscriptionNotFound extends Error {
  override readonly name = 'SubscriptionNotFound';
}

const strip = (item: Record<string, unknown>): Subscription => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, entity: _e, ...rest } = item;
  return rest as unknown as Subscription;
};

export const subscriptionStore = {
  async create(subscription: Subscription): Promise<void> {
    await ddb().send(new PutCommand({
      TableName: config.tableName(),
      Item: { ...subscriptionKey(subscription.id), entity: 'WEBHOOK_SUBSCRIPTION', gsi1pk: SUBSCRIPTIONS, gsi1sk: `${subscription.createdAt}#${subscription.id}`, ...subscription },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
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

  async delete(id: string): Promise<boolean> {
    const { Attributes } = await ddb().send(new DeleteCommand({ TableName: config.tableName(), Key: subscriptionKey(id), ReturnValues: 'ALL_OLD' }));
    return Boolean(Attributes);
  },
};
