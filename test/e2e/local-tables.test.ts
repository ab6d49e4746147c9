import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { tables } from '../../lib/tables';
import { createTables, dynamoDbAdminClient, tableName } from '../../local/dynamodb';
import { dropTables, testDynamoDbEndpoint, uniquePrefix } from '../support/dynamo';

/** Local tables must have the key schema, GSIs, billing mode and TTL that lib/tables.ts (and so CDK) defines. */
const endpoint = testDynamoDbEndpoint();
const prefix = uniquePrefix('shape');
const client = dynamoDbAdminClient(endpoint);
afterAll(async () => {
  client.destroy();
  await dropTables(endpoint, prefix);
});

test('createTables builds every table as defined, and a second run is a no-op', async () => {
  await createTables(endpoint, prefix);
  await createTables(endpoint, prefix);
  for (const def of tables) {
    const name = tableName(def, prefix);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
    ]);
    const gsis = (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({ name: g.IndexName, keys: g.KeySchema?.map((k) => k.AttributeName), projection: g.Projection?.ProjectionType }));
    expect(gsis.sort((a, b) => a.name!.localeCompare(b.name!))).toEqual(
      def.globalSecondaryIndexes.map((g) => ({ name: g.indexName, keys: [g.partitionKey.name, ...(g.sortKey ? [g.sortKey.name] : [])], projection: 'ALL' })),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: def.timeToLiveAttribute });
  }
});
