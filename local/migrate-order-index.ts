/**
 * npm run migrate:order-index — moves orders written before the index keys were sharded into their shards
 * (functions/adapters/order-index-migration.ts). The same code locally and on AWS:
 *   locally:  DYNAMODB_ENDPOINT=http://localhost:<DynamoDB Local port> TABLE_NAME=<the local order table>
 *             npm run migrate:order-index
 *   on AWS:   TABLE_NAME=<the stack's OrderTable> AWS_REGION=... npm run migrate:order-index (with credentials
 *             allowed to Query gsi1 and UpdateItem on the table)
 * Safe to run any number of times, while the service runs.
 */
import { migrateLegacyOrderIndexKeys } from '../functions/adapters/order-index-migration';

async function main() {
  if (!process.env.TABLE_NAME) throw new Error('Set TABLE_NAME (and DYNAMODB_ENDPOINT for a local table).');
  const result = await migrateLegacyOrderIndexKeys();
  console.log(`Order index keys: ${result.moved} orders moved to their shards, ${result.skipped} changed meanwhile (already moved).`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
