import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutCommand, QueryCommand, ScanCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { indexes } from './keys';

/**
 * Everything a customer's personal data can sit in, read and rewritten for GDPR export and erasure
 * (functions/customers/personal-data.ts): the order partitions (order, payment, shipment, notification
 * markers), Powertools idempotency records that stored a response naming the order, and locally the .eml
 * files of the outbox. Items are read and written whole, so fields added later are covered too.
 */
export type Item = Record<string, unknown>;

async function queryAll(input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The ids of every order of the user (gsi2 "owner"). */
export async function orderIdsOf(userId: string): Promise<string[]> {
  const items = await queryAll({
    TableName: config.tableName(),
    IndexName: indexes.owner,
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': `USER#${userId}` },
    ProjectionExpression: 'pk, sk, id',
  });
  return [...new Set(items.filter((i) => i.sk === 'ORDER').map((i) => String(i.id)))];
}

/** Every item of one order's partition, strongly consistent. */
export function orderPartition(orderId: string): Promise<Item[]> {
  return queryAll({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` },
    ConsistentRead: true,
  });
}

/** Writes an item back only if it has not changed since it was read (the order's version, or any field). */
export async function replaceItem(item: Item, expectedVersion?: number): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: config.tableName(),
      Item: item,
      ...(expectedVersion !== undefined
        ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }
        : { ConditionExpression: 'attribute_exists(pk)' }),
    }),
  );
}

/**
 * Idempotency records whose stored response mentions any of the order ids. There is no index from a
 * customer to these records (their key is a hash, the response a nested map that filter expressions cannot
 * search), so this reads the table, whose records expire within a day: small by construction. A filter
 * expression would not make the Scan cheaper (filters apply after the read), so the match is done here.
 */
export async function idempotencyRecordsMentioning(orderIds: readonly string[]): Promise<Item[]> {
  if (!orderIds.length) return [];
  const found: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(new ScanCommand({ TableName: config.idempotencyTableName(), ExclusiveStartKey: start }));
    for (const item of (page.Items ?? []) as Item[]) {
      const text = JSON.stringify(item);
      if (orderIds.some((id) => text.includes(id))) found.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

export async function replaceIdempotencyRecord(item: Item): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: config.idempotencyTableName(), Item: item, ConditionExpression: 'attribute_exists(id)' }),
  );
}

export interface StoredEmail {
  file: string;
  content: string;
}

/**
 * Emails kept for the customer. Locally: the outbox .eml files of their orders (the Message-ID and file name
 * carry the order id). On AWS SES keeps no copy, so there is nothing beyond the notification markers.
 */
export async function storedEmails(orderIds: readonly string[]): Promise<StoredEmail[]> {
  const dataDir = config.localDataDir();
  if (!dataDir || !orderIds.length) return [];
  const dir = join(dataDir, 'outbox');
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const emails: StoredEmail[] = [];
  for (const file of files) {
    const content = await readFile(join(dir, file), 'utf8');
    if (orderIds.some((id) => file.includes(id) || content.includes(id))) emails.push({ file, content });
  }
  return emails;
}

export async function rewriteStoredEmail(email: StoredEmail, content: string): Promise<void> {
  const dataDir = config.localDataDir();
  if (!dataDir) return;
  await writeFile(join(dataDir, 'outbox', email.file), content, 'utf8');
}
