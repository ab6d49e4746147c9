import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import { ChainVerifier, entryHash, GENESIS_HASH, type AuditEntry, type ChainCheck } from '../domain/audit';
import { AUDIT_PK, auditKey } from './keys';

export interface AuditAction {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** How many times an append re-reads the head after losing the race for a seq. */
const MAX_ATTEMPTS = 200;

const toEntry = (item: Record<string, unknown>): AuditEntry => ({
  seq: item.seq as number,
  at: item.at as string,
  actor: item.actor as string,
  action: item.action as string,
  target: item.target as string,
  details: (item.details as Record<string, unknown>) ?? {},
  hash: item.hash as string,
});

/** The newest entry (strongly consistent: a put that just won must be seen by the next appender). */
async function head(): Promise<AuditEntry | undefined> {
  const { Items } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': AUDIT_PK },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0] ? toEntry(Items[0]) : undefined;
}

/**
 * Appends one entry. Many functions may append at once: each reads the head, computes seq + 1 and its hash,
 * and puts `AUDIT / SEQ#<seq>` only if that item does not exist yet. Exactly one writer wins each seq; a
 * loser re-reads the new head and tries again on top of it, so the chain never forks and never has gaps.
 * `at` never goes backwards along the chain (max of now and the head's time).
 */
export async function appendAudit(action: AuditAction): Promise<AuditEntry> {
  // Plain JSON values only (no undefined, no class instances): what is hashed is what DynamoDB gives back.
  const details = JSON.parse(JSON.stringify(action.details ?? {})) as Record<string, unknown>;
  for (let attempt = 1; ; attempt++) {
    const previous = await head();
    const now = new Date().toISOString();
    const at = previous && previous.at > now ? previous.at : now;
    const body = { seq: (previous?.seq ?? 0) + 1, at, actor: action.actor, action: action.action, target: action.target, details };
    const entry: AuditEntry = { ...body, hash: entryHash(previous?.hash ?? GENESIS_HASH, body) };
    try {
      await ddb().send(
        new PutCommand({
          TableName: config.tableName(),
          Item: { ...auditKey(entry.seq), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return entry;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_ATTEMPTS) throw error;
      // Another appender took this seq: back off (exponential, full jitter, capped at 250 ms) so that a crowd
      // of losers spreads out instead of re-reading the head in lockstep, then build on the new head.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 6))));
    }
  }
}

/** Entries newest first, optionally within [from, to] (ISO times, inclusive). */
export async function listAudit(options: { from?: string; to?: string; limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
  const filters: string[] = [];
  const values: Record<string, unknown> = { ':pk': AUDIT_PK };
  if (options.from) {
    filters.push('#at >= :from');
    values[':from'] = options.from;
  }
  if (options.to) {
    filters.push('#at <= :to');
    values[':to'] = options.to;
  }
  const { Items, LastEvaluatedKey } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk',
      ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: { '#at': 'at' } } : {}),
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor),
    }),
  );
  return { items: (Items ?? []).map(toEntry), nextCursor: encodeCursor(LastEvaluatedKey) };
}

/** Reads the whole chain in seq order, page by page, and checks every link. */
export async function verifyAudit(): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let start: Record<string, unknown> | undefined;
  do {
    const { Items, LastEvaluatedKey } = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': AUDIT_PK },
        ScanIndexForward: true,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of Items ?? []) verifier.add(toEntry(item));
    start = LastEvaluatedKey;
  } while (start);
  return verifier.result();
}
