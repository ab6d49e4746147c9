import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { startStreamPoller } from '../../../local/stream-poller';

/**
 * The local event source mapping reads the shard list (DescribeStream) once per refresh interval, not on
 * every pass, and again at once when a shard closes, so the child shard that carries
 * the item's later changes is found without waiting.
 */
const dynamo = mockClient(DynamoDBClient);
const streams = mockClient(DynamoDBStreamsClient);
const ARN = 'arn:aws:dynamodb:local:000000000000:table/t/stream/1';

beforeEach(() => {
  dynamo.reset();
  streams.reset();
  dynamo.on(DescribeTableCommand).resolves({ Table: { LatestStreamArn: ARN } });
  streams.on(GetShardIteratorCommand).callsFake(({ ShardId }) => ({ ShardIterator: `it-${ShardId}` }));
});
afterAll(() => {
  dynamo.restore();
  streams.restore();
});

const describes = () => streams.commandCalls(DescribeStreamCommand).length;

it('drains many times on one shard list, and reads it again when the interval has passed', async () => {
  streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 's1' }] } });
  streams.on(GetRecordsCommand).resolves({ Records: [], NextShardIterator: 'it-s1' });
  const poller = await startStreamPoller({ endpoint: 'http://127.0.0.1:1', tableName: 't', handler: async () => undefined, intervalMs: 50, shardRefreshMs: 1_000 });
  try {
    for (let i = 0; i < 5; i++) await poller.drain();
    expect(describes()).toBe(1);
    expect(streams.commandCalls(GetRecordsCommand).length).toBeGreaterThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 1_100));
    await poller.drain();
    expect(describes()).toBe(2);
  } finally {
    await poller.stop();
  }
});

it('reads the shard list again on the next pass after a shard closed, and then polls the child', async () => {
  let closed = false;
  streams.on(DescribeStreamCommand).callsFake(() => ({
    StreamDescription: { Shards: closed ? [{ ShardId: 's1' }, { ShardId: 's2', ParentShardId: 's1' }] : [{ ShardId: 's1' }] },
  }));
  streams.on(GetRecordsCommand).callsFake(({ ShardIterator }) => {
    if (ShardIterator === 'it-s1') {
      closed = true;
      return { Records: [] }; // no NextShardIterator: the shard has closed
    }
    return { Records: [], NextShardIterator: ShardIterator };
  });
  const poller = await startStreamPoller({ endpoint: 'http://127.0.0.1:1', tableName: 't', handler: async () => undefined, intervalMs: 50, shardRefreshMs: 60_000 });
  try {
    await poller.drain(); // s1 read and closed (the background loop may have made this pass already)
    await poller.drain(); // the list again: s2 found and polled
    expect(describes()).toBe(2);
    expect(streams.commandCalls(GetRecordsCommand).map((c) => c.args[0].input.ShardIterator)).toContain('it-s2');
  } finally {
    await poller.stop();
  }
});
