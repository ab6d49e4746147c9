import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { allShards, shardKey } from './hot-stock';
import { keys } from './keys';

/**
 * Daily units sold per SKU, for the low-stock alert's days of cover. Analytics, not stock: written after
 * the reservation, read when an alert is raised. A store of its own (not part of inventory-store.ts): the
 * order paths that count a sale need none of the stock reads, writes and alert flips.
 */
const table = () => config.tableName();
const day = (iso: string) => iso.slice(0, 10);

// A hot SKU's daily counter is one per shard partition (a random one per order): one counter item would
// take every order's write.
const salesPk = (sku: string, shards: number) => (shards > 0 ? shardKey(sku, Math.floor(Math.random() * shards)).pk : keys.product(sku).pk);

export const salesStore = {
  /** Adds each line's quantity to its SKU's counter of the day (kept 90 days). */
  async recordSales(lines: { sku: string; quantity: number }[], at: string, shards: Map<string, number> = new Map()): Promise<void> {
    await Promise.all(
      lines.map((line) =>
        ddb().send(
          new UpdateCommand({
            TableName: table(),
            Key: { pk: salesPk(line.sku, shards.get(line.sku) ?? 0), sk: `SALES#${day(at)}` },
            UpdateExpression: 'ADD units :q SET expiresAt = if_not_exists(expiresAt, :ttl)',
            ExpressionAttributeValues: { ':q': line.quantity, ':ttl': Math.floor(Date.parse(at) / 1000) + 90 * 86400 },
          }),
        ),
      ),
    );
  },

  /** Units sold since the day of `sinceIso`, over the SKU's own counters and its shards'. */
  async unitsSoldSince(sku: string, sinceIso: string, shards = 0): Promise<number> {
    const pks = [keys.product(sku).pk, ...allShards(shards).map((s) => shardKey(sku, s).pk)];
    const totals = await Promise.all(
      pks.map(async (pk) => {
        const { Items } = await ddb().send(
          new QueryCommand({
            TableName: table(),
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': pk, ':from': `SALES#${day(sinceIso)}`, ':to': 'SALES#9999' },
          }),
        );
        return (Items ?? []).reduce((total, item) => total + (item.units ?? 0), 0);
      }),
    );
    return totals.reduce((a, b) => a + b, 0);
  },
};
