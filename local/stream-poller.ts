import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoDbAdminClient, LOCAL_REGION } from './dynamodb';
import { lambdaContext } from './lambda-context';

/**
 * What a Lambda event source mapping does on AWS, for DynamoDB Local: reads the table's stream through the
 * real DynamoDB Streams API (DescribeStream / GetShardIterator / GetRecords) and calls the same consumer
 * handler with the same event shape. Partial batch responses are honoured as on AWS: the next attempt starts
 * at the first failed record. After `maxRetries` failed attempts the record goes to a dead-letter file (the
 * SQS dead-letter queue on AWS) and the poller moves on; the reconciler repairs what it would have done.
 * The position in each shard is checkpointed only after the handler has succeeded up to it, so a crash of
 * the process replays the unfinished records on the next start (at-least-once, like the mapping).
 */
export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>;
  /** Where the per-shard position is kept across restarts (npm start); none in tests. */
  checkpointFile?: string;
  deadLetterFile?: string;
  intervalMs?: number;
  batchSize?: number;
  maxRetries?: number;
  retryDelayMs?: number;
  onError?: (error: unknown) => void;
  /** Each batch's iterator age (ms since its oldest record was written), as the mapping's IteratorAge metric. */
  onIteratorAge?: (ms: number) => void;
  /** Each record given up on after its retries. */
  onDeadLetter?: () => void;
  /** How often the shard list is read again (DescribeStream) when no shard has closed; default 1,000 ms. */
  shardRefreshMs?: number;
}

export interface StreamPoller {
  streamArn: string;
  /** Runs one pass over every shard now; resolves when the records read so far are handled. */
  drain(): Promise<number>;
  /** True while some record is failing and waiting for its retry. */
  retrying(): boolean;
  stop(): Promise<void>;
}

interface ShardState {
  iterator?: string;
  /** Last sequence number handled successfully. */
  checkpoint?: string;
  closed?: boolean;
  attempts: number;
  failingSequence?: string;
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const admin = dynamoDbAdminClient(options.endpoint);
  const { Table } = await admin.send(new DescribeTableCommand({ TableName: options.tableName }));
  admin.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream (lib/tables.ts sets one on the main table).`);

  const client = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
  const batchSize = options.batchSize ?? 100;
  const maxRetries = options.maxRetries ?? 8;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const shards = new Map<string, ShardState>();
  const saved = readCheckpoints(options.checkpointFile, streamArn);
  const retryAfter = new Map<string, number>();
  // DescribeStream on every pass (every 5 ms in the fault matrices) kept DynamoDB Local's one SQLite thread
  // describing the stream: getStreamDescription was its hottest frame in thread dumps of a test run. New
  // shards appear only when one closes, so the list is read again then, or once a refresh interval.
  const shardRefreshMs = options.shardRefreshMs ?? 1_000;
  let shardsReadAt = 0;
  let shardClosed = false;

  const persist = () => {
    if (!options.checkpointFile) return;
    const positions = Object.fromEntries([...shards].filter(([, s]) => s.checkpoint).map(([id, s]) => [id, s.checkpoint]));
    mkdirSync(path.dirname(options.checkpointFile), { recursive: true });
    writeFileSync(options.checkpointFile, JSON.stringify({ streamArn, positions }));
  };

  const iteratorFor = async (shardId: string, state: ShardState) => {
    const position = state.checkpoint ?? saved[shardId];
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(position ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  };

  const deadLetter = (record: _Record, reason: string) => {
    if (!options.deadLetterFile) return;
    mkdirSync(path.dirname(options.deadLetterFile), { recursive: true });
    // Keys and sequence only: images can hold personal data.
    appendFileSync(options.deadLetterFile, `${JSON.stringify({ at: new Date().toISOString(), sequenceNumber: record.dynamodb?.SequenceNumber, eventName: record.eventName, keys: record.dynamodb?.Keys, reason })}\n`);
  };

  /** One GetRecords and the handler call for it; returns how many records were handled. */
  const pollShard = async (shardId: string, state: ShardState): Promise<number> => {
    if ((retryAfter.get(shardId) ?? 0) > Date.now()) return 0;
    state.iterator ??= await iteratorFor(shardId, state);
    if (!state.iterator) {
      state.closed = shardClosed = true;
      return 0;
    }
    let out;
    try {
      out = await client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: batchSize }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        state.iterator = undefined;
        return 0;
      }
      throw error;
    }
    const records = out.Records ?? [];
    if (!records.length) {
      state.iterator = out.NextShardIterator;
      if (!state.iterator) state.closed = shardClosed = true;
      return 0;
    }
    const oldest = records[0]!.dynamodb?.ApproximateCreationDateTime;
    if (oldest) options.onIteratorAge?.(Math.max(0, Date.now() - new Date(oldest).getTime()));
    const event = { Records: records.map((r) => ({ ...r, eventSourceARN: streamArn })) } as unknown as DynamoDBStreamEvent;
    let failedAt: string | undefined;
    try {
      const result = await options.handler(event, lambdaContext('OutboxConsumer'));
      failedAt = result?.batchItemFailures?.[0]?.itemIdentifier;
    } catch (error) {
      options.onError?.(error);
      failedAt = records[0]!.dynamodb!.SequenceNumber;
    }
    const done = failedAt ? records.slice(0, records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt)) : records;
    if (done.length) {
      state.checkpoint = done.at(-1)!.dynamodb!.SequenceNumber;
      persist();
    }
    if (!failedAt) {
      state.attempts = 0;
      state.iterator = out.NextShardIterator;
      if (!state.iterator) state.closed = shardClosed = true;
      return records.length;
    }
    // Retry from the first failed record, after a pause; past maxRetries it is dead-lettered and skipped.
    state.attempts = state.failingSequence === failedAt ? state.attempts + 1 : 1;
    state.failingSequence = failedAt;
    if (state.attempts > maxRetries) {
      const failed = records.find((r) => r.dynamodb?.SequenceNumber === failedAt)!;
      deadLetter(failed, `failed ${state.attempts - 1} retries`);
      options.onDeadLetter?.();
      state.checkpoint = failedAt;
      state.attempts = 0;
      persist();
    } else {
      retryAfter.set(shardId, Date.now() + retryDelayMs * Math.min(2 ** (state.attempts - 1), 16));
    }
    state.iterator = undefined; // re-read from the checkpoint
    return done.length;
  };

  const refreshShards = async () => {
    if (shards.size && !shardClosed && Date.now() - shardsReadAt < shardRefreshMs) return;
    shardClosed = false;
    shardsReadAt = Date.now();
    let start: string | undefined;
    const all: Shard[] = [];
    do {
      const out = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      all.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of all) if (shard.ShardId && !shards.has(shard.ShardId)) shards.set(shard.ShardId, { attempts: 0, parent: shard.ParentShardId } as ShardState & { parent?: string });
  };

  let running: Promise<number> | undefined;
  const drain = () =>
    (running ??= (async () => {
      try {
        await refreshShards();
        let handled = 0;
        for (const [shardId, state] of shards) {
          const parent = (state as ShardState & { parent?: string }).parent;
          // A child shard waits for its parent, so one item's changes stay in order.
          if (state.closed || (parent && shards.has(parent) && !shards.get(parent)!.closed)) continue;
          handled += await pollShard(shardId, state);
        }
        return handled;
      } finally {
        running = undefined;
      }
    })());

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const handled = await drain().catch((error) => {
        options.onError?.(error);
        return 0;
      });
      if (!handled) await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
    }
  })();

  return {
    streamArn,
    drain,
    retrying: () => [...shards.values()].some((s) => s.attempts > 0),
    async stop() {
      stopped = true;
      await loop;
      client.destroy();
    },
  };
}

function readCheckpoints(file: string | undefined, streamArn: string): Record<string, string> {
  if (!file) return {};
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { streamArn?: string; positions?: Record<string, string> };
    // A new stream (tables recreated by npm run reset) starts from its beginning.
    return saved.streamArn === streamArn ? (saved.positions ?? {}) : {};
  } catch {
    return {};
  }
}
