/**
 * npm run migrate:payment-index — moves payment records written before the payment index keys were sharded
 * into their shards (functions/adapters/order-index-migration.ts, the same mechanism as the orders'). The same
 * code locally and on AWS:
 *   locally:  DYNAMODB_ENDPOINT=http://localhost:<DynamoDB Local port> TABLE_NAME=<the local order table>
 *             npm run migrate:payment-index
 *   on AWS:   TABLE_NAME=<the stack's OrderTable> AWS_REGION=... npm run migrate:payment-index (with credentials
 *             allowed to Query gsi1 and UpdateItem on the table)
 * Safe to run any number of times, while the service runs.
 */
import { migrateLegacyPaymentIndexKeys } from '../functions/adapters/order-index-migration';

async function main() {
  if (!process.env.TABLE_NAME) throw new Error('Set TABLE_NAME (and DYNAMODB_ENDPOINT for a local table).');
  const result = await migrateLegacyPaymentIndexKeys();
  console.log(`Payment index keys: ${result.moved} payment records moved to their shards, ${result.skipped} changed meanwhile (already moved).`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
