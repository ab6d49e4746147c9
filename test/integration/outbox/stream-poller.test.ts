import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { ddb } from '../../../functions/commons/clients';
import { startStreamPoller } from '../../../local/stream-poller';
import { useIsolatedTables } from '../../support/dynamo';

/**
 * The local stand-in for the Lambda event source mapping, against DynamoDB Local's real stream: records come
 * in commit order, a partial batch failure is retried from the failed record, a record that keeps failing is
 * dead-lettered and skipped, and the checkpoint survives a restart so handled records are not replayed.
 */
const tables = useIsolatedTables();
const dir = mkdtempSync(path.join(os.tmpdir(), 'poller-'));
const put = (id: string) => ddb().send(new PutCommand({ TableName: tables.tableName, Item: { pk: `T#${id}`, sk: 'T', id } }));
const ids = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb!.NewImage!.id!.S!);
const until = async (done: () => boolean) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
};

it('delivers in order, retries from the first failure, dead-letters a poison record, and resumes from its checkpoint', async () => {
  const seen: string[] = [];
  let failures = 0;
  let deadLetters = 0;
  const ages: number[] = [];
  const options = {
    endpoint: tables.endpoint,
    tableName: tables.tableName,
    checkpointFile: path.join(dir, 'checkpoint.json'),
    deadLetterFile: path.join(dir, 'dead-letters.log'),
    intervalMs: 5,
    retryDelayMs: 5,
    maxRetries: 3,
    onDeadLetter: () => deadLetters++,
    onIteratorAge: (ms: number) => ages.push(ms),
    handler: async (event: DynamoDBStreamEvent) => {
      const batch = ids(event);
      const failedAt = batch.findIndex((id) => id === 'poison' || (id === 'flaky' && failures++ < 2));
      seen.push(...(failedAt === -1 ? batch : batch.slice(0, failedAt)));
      return { batchItemFailures: failedAt === -1 ? [] : [{ itemIdentifier: event.Records[failedAt]!.dynamodb!.SequenceNumber! }] };
    },
  };
  const poller = await startStreamPoller(options);
  for (const id of ['a', 'b', 'flaky', 'c', 'poison', 'd']) await put(id);
  await until(() => seen.includes('d'));
  await poller.stop();

  // Each record handled once, in order, the flaky one after its retries; the poison one never.
  expect(seen).toEqual(['a', 'b', 'flaky', 'c', 'd']);
  expect(existsSync(options.deadLetterFile)).toBe(true);
  const dead = readFileSync(options.deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(dead).toHaveLength(1);
  // What the ops alarms hear (DeadLetterQueue, StreamConsumerLag), as from the mapping on AWS.
  expect(deadLetters).toBe(1);
  expect(ages.length).toBeGreaterThan(0);
  expect(ages.every((ms) => ms >= 0)).toBe(true);
  expect(dead[0]).toMatchObject({ eventName: 'INSERT', keys: { pk: { S: 'T#poison' } } });
  expect(JSON.stringify(dead)).not.toContain('NewImage'); // keys only: images may hold personal data

  // A restart continues after the checkpoint: nothing handled is delivered again.
  const again: string[] = [];
  const restarted = await startStreamPoller({ ...options, handler: async (event) => void again.push(...ids(event)) });
  await put('e');
  await until(() => again.includes('e'));
  await restarted.stop();
  expect(again).toEqual(['e']);
});
