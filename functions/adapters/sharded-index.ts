import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor } from '../commons/pagination';
import { badRequest } from '../commons/problem';

/**
 * Lists over sharded index keys (keys.ts: the order index, ORDER_INDEX_SHARDS, and the payment index,
 * PAYMENT_INDEX_SHARDS): one Query per partition, merged newest first by sort key (`<createdAt>#<id>`,
 * unique, so the merge is a total order). The cursor is the sort key of the last item returned; the next page
 * reads every partition below it, so each item is returned once and in order however the shards interleave.
 * Cursors from before the split (a LastEvaluatedKey, which carries the same sort key attribute) resume at the
 * same place.
 */
export interface IndexList {
  index: string;
  pkName: string;
  skName: string;
  partitions: string[];
  /** Inclusive sort key bounds. */
  lower?: string;
  upper?: string;
}

export interface MergedQuery {
  list: IndexList;
  limit: number;
  cursor?: string;
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
  /** Stop after reading this many items (filtered reads); the page then ends early with a cursor. */
  readBudget?: number;
}

interface Shard {
  pk: string;
  /** Items to evaluate on the next Query; doubles with each refill (a shard that holds most of the list). */
  pageSize: number;
  buffer: Record<string, any>[];
  start?: Record<string, any>;
  done: boolean;
  /** Sort key of the last item this shard evaluated: everything at or above it has been read. */
  frontier?: string;
}

export async function mergedIndexQuery(q: MergedQuery): Promise<{ items: Record<string, any>[]; nextCursor: string | null }> {
  const { list } = q;
  const after = cursorPosition(q.cursor, list.skName);
  const below = after === undefined ? undefined : justBelow(after);
  const upper = below !== undefined && (list.upper === undefined || below < list.upper) ? below : list.upper;
  const values: Record<string, unknown> = { ...q.filter?.values };
  let condition = `${list.pkName} = :pk`;
  if (list.lower !== undefined && upper !== undefined) {
    condition += ` AND ${list.skName} BETWEEN :lower AND :upper`;
    Object.assign(values, { ':lower': list.lower, ':upper': upper });
  } else if (list.lower !== undefined) {
    condition += ` AND ${list.skName} >= :lower`;
    values[':lower'] = list.lower;
  } else if (upper !== undefined) {
    condition += ` AND ${list.skName} <= :upper`;
    values[':upper'] = upper;
  }
  // Hashed shards hold about 1/N of the list each: a first read of 1.5/N of the page plus a little is
  // mostly enough; a shard that runs dry while it may still hold the next item is read again.
  const firstPage = q.filter ? 100 : Math.ceil((q.limit * 1.5) / list.partitions.length) + 2;
  const budget = q.readBudget ?? Infinity;
  let read = 0;
  const shards: Shard[] = list.partitions.map((pk) => ({ pk, pageSize: firstPage, buffer: [], done: false }));

  const fetch = async (shard: Shard, limit: number) => {
    const page = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: list.index,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: { ...values, ':pk': shard.pk },
        ...(q.filter?.names && Object.keys(q.filter.names).length ? { ExpressionAttributeNames: q.filter.names } : {}),
        ...(q.filter ? { FilterExpression: q.filter.expression } : {}),
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: shard.start,
      }),
    );
    read += page.ScannedCount ?? 0;
    shard.buffer.push(...(page.Items ?? []));
    shard.start = page.LastEvaluatedKey;
    shard.pageSize = Math.min(1000, shard.pageSize * 2);
    shard.done = !page.LastEvaluatedKey;
    shard.frontier = page.LastEvaluatedKey?.[list.skName];
  };

  const items: Record<string, any>[] = [];
  for (;;) {
    const waiting = shards.filter((s) => !s.buffer.length && !s.done);
    if (waiting.length && read >= budget) {
      // Out of budget: every item at or above the highest frontier of a shard not read to its end is known
      // (buffered or returned already); return those in order and resume below it.
      const resume = shards.filter((s) => !s.done).map((s) => s.frontier!).reduce((a, b) => (a > b ? a : b));
      for (;;) {
        const head = highest(shards);
        if (!head || head.buffer[0]![list.skName] < resume) break;
        items.push(head.buffer.shift()!);
        if (items.length === q.limit) return { items, nextCursor: cursorAt(items, list.skName) };
      }
      return { items, nextCursor: encodeCursor({ [list.skName]: resume }) };
    }
    if (waiting.length) {
      const share = Math.max(1, Math.floor((budget - read) / waiting.length));
      await Promise.all(waiting.map((s) => fetch(s, Math.min(s.pageSize, share))));
      continue;
    }
    const head = highest(shards);
    if (!head) return { items, nextCursor: null };
    items.push(head.buffer.shift()!);
    if (items.length === q.limit) {
      const more = shards.some((s) => s.buffer.length || !s.done);
      return { items, nextCursor: more ? cursorAt(items, list.skName) : null };
    }
  }

  function highest(all: Shard[]): Shard | undefined {
    let best: Shard | undefined;
    for (const s of all) if (s.buffer.length && (!best || s.buffer[0]![list.skName] > best.buffer[0]![list.skName])) best = s;
    return best;
  }
}

const cursorAt = (items: Record<string, any>[], skName: string) => encodeCursor({ [skName]: items.at(-1)![skName] });

/**
 * The greatest bound below `key` that every smaller string still sits under (key conditions have no
 * exclusive BETWEEN): the last character one lower, then U+FFFF, above every character of a sort key.
 */
function justBelow(key: string): string {
  return `${key.slice(0, -1)}${String.fromCharCode(key.charCodeAt(key.length - 1) - 1)}\uffff`;
}

/** The sort key a cursor resumes below; 400 for another list's cursor. */
function cursorPosition(cursor: string | undefined, skName: string): string | undefined {
  const key = decodeCursor(cursor);
  if (!key) return undefined;
  const position = key[skName];
  if (typeof position !== 'string' || !position) {
    throw badRequest('The cursor is not valid; use nextCursor from the previous page.', [{ path: 'cursor', message: 'invalid cursor' }]);
  }
  return position;
}
