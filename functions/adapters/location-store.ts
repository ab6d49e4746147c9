import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { byPriority, MAIN_LOCATION } from '../domain/allocation';
import { indexes } from './keys';

/** A stock location (warehouse, store). `MAIN` always exists and holds the stock created before locations. */
export interface Location {
  id: string;
  name: string;
  address?: string;
  priority: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export class LocationExists extends Error {}
export class LocationNotFound extends Error {}

export const LOCATIONS_COLLECTION = 'LOCATIONS';
export const locationKey = (id: string) => ({ pk: `LOCATION#${id}`, sk: 'LOCATION' });

/** MAIN as it is before anyone stored or edited it: first in priority, active. */
export const DEFAULT_MAIN: Location = { id: MAIN_LOCATION, name: 'Main warehouse', priority: 0, active: true, createdAt: '2026-12-02T00:00:00.000Z', updatedAt: '2026-12-02T00:00:00.000Z' };

const table = () => config.tableName();
const view = ({ id, name, address, priority, active, createdAt, updatedAt }: Record<string, any>): Location => ({
  id, name, ...(address ? { address } : {}), priority, active, createdAt, updatedAt,
});

/**
 * The locations reservations allocate from, cached per execution environment for 10 s (per table):
 * reading them on every reservation would double its reads. A location created, edited or deactivated is
 * seen by every reservation within 10 s (at once in the process that changed it).
 */
const cache = new Map<string, { at: number; locations: Promise<Location[]> }>();
export const forgetLocations = () => cache.clear();

export const locationStore = {
  /** All locations by priority; MAIN is included even before the migration stored it. */
  async list(): Promise<Location[]> {
    const items: Location[] = [];
    let start: Record<string, any> | undefined;
    do {
      const { Items, LastEvaluatedKey } = await ddb().send(
        new QueryCommand({
          TableName: table(),
          IndexName: indexes.collection,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': LOCATIONS_COLLECTION },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(Items ?? []).map(view));
      start = LastEvaluatedKey;
    } while (start);
    if (!items.some((l) => l.id === MAIN_LOCATION)) items.push(DEFAULT_MAIN);
    return items.sort(byPriority);
  },

  /** Active locations by priority, cached (see above). */
  async active(): Promise<Location[]> {
    const now = Date.now();
    const hit = cache.get(table());
    if (hit && now - hit.at < 10_000) return hit.locations;
    const locations = this.list().then((all) => all.filter((l) => l.active));
    cache.set(table(), { at: now, locations });
    locations.catch(() => cache.delete(table()));
    return locations;
  },

  async get(id: string): Promise<Location | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key: locationKey(id), ConsistentRead: true }));
    if (Item) return view(Item);
    return id === MAIN_LOCATION ? DEFAULT_MAIN : undefined;
  },

  async create(input: Omit<Location, 'createdAt' | 'updatedAt'>): Promise<Location> {
    const now = new Date().toISOString();
    const location: Location = { ...input, createdAt: now, updatedAt: now };
    // MAIN exists from the start, stored or not: creating it again is a conflict like any other id.
    if (input.id === MAIN_LOCATION) throw new LocationExists(input.id);
    try {
      await ddb().send(
        new PutCommand({
          TableName: table(),
          Item: { ...locationKey(input.id), entity: 'LOCATION', gsi1pk: LOCATIONS_COLLECTION, gsi1sk: input.id, ...location },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LocationExists(input.id);
      throw error;
    }
    forgetLocations();
    return location;
  },

  async update(id: string, changes: Partial<Pick<Location, 'name' | 'address' | 'priority' | 'active'>>): Promise<Location> {
    if (id === MAIN_LOCATION) await ensureMainLocation();
    const now = new Date().toISOString();
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      const { Attributes } = await ddb().send(
        new UpdateCommand({
          TableName: table(),
          Key: locationKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      forgetLocations();
      return view(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LocationNotFound(id);
      throw error;
    }
  },
};

/**
 * The locations migration: stores MAIN (priority 0, active) unless it is stored already. Idempotent (a
 * conditional put; an edited MAIN is left alone) and run the same way everywhere: at local start and by
 * every reconciler run (AWS every 5 minutes, locally every 30 s). Stock needs no migration: MAIN's levels
 * are the SKU's INVENTORY item (or its hot shards), where all stock already is. Returns whether it wrote.
 */
export async function ensureMainLocation(): Promise<boolean> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: table(),
        Item: { ...locationKey(MAIN_LOCATION), entity: 'LOCATION', gsi1pk: LOCATIONS_COLLECTION, gsi1sk: MAIN_LOCATION, ...DEFAULT_MAIN, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
