import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import { logger } from '../commons/powertools';
import { alertMessage, daysOfCover, type LowStockAlert } from '../domain/inventory';
import { publishAlert } from '../adapters/alert-publisher';
import { inventoryStore } from '../adapters/inventory-store';
import { productStore } from '../adapters/product-store';
import { collections, indexes, keys } from '../adapters/keys';

const SEVEN_DAYS_MS = 7 * 86400 * 1000;

/**
 * After stock went down: for each SKU, fire one alert per crossing to ≤ threshold. The winner of the
 * conditional flip stores the alert and publishes it; a failed publish is logged and kept on the stored
 * alert (`published: false`) for the dashboard, never retried into a duplicate.
 */
export async function checkLowStock(skus: Iterable<string>): Promise<LowStockAlert[]> {
  const fired: LowStockAlert[] = [];
  for (const sku of new Set(skus)) {
    const createdAt = new Date().toISOString();
    const id = crypto.randomUUID();
    let alert: LowStockAlert | undefined;
    // Name and sales rate are read only once a crossing is in sight, not on every reservation.
    const levels = await inventoryStore.fireAlertIfCrossed(sku, async (levels) => {
      const [product, sold] = await Promise.all([
        productStore.get(sku),
        inventoryStore.unitsSoldSince(sku, new Date(Date.now() - SEVEN_DAYS_MS).toISOString()),
      ]);
      alert = {
        id,
        sku,
        name: product?.name ?? sku,
        available: levels.available,
        threshold: levels.lowStockThreshold,
        daysOfCover: daysOfCover(levels.available, sold),
        createdAt,
      };
      return { ...keys.alert(id), entity: 'ALERT', gsi1pk: collections.alerts, gsi1sk: `${createdAt}#${id}`, ...alert, published: true };
    });
    if (!levels || !alert) continue;
    fired.push(alert);
    try {
      const { subject, body } = alertMessage(alert);
      await publishAlert({ subject, body, attributes: { sku, type: 'LOW_STOCK' } });
    } catch (error) {
      logger.error('Low-stock alert stored but not published', { sku, alertId: id, error: error as Error });
      await ddb()
        .send(
          new UpdateCommand({
            TableName: config.tableName(),
            Key: keys.alert(id),
            UpdateExpression: 'SET published = :false',
            ExpressionAttributeValues: { ':false': false },
          }),
        )
        .catch(() => undefined);
    }
  }
  return fired;
}

/** After stock went up: re-arm alerts of SKUs back above their threshold. */
export async function rearmLowStock(skus: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(skus)].map((sku) => inventoryStore.rearmIfRecovered(sku)));
}

export async function listAlerts(limit: number, cursor?: string): Promise<Page<LowStockAlert & { published: boolean }>> {
  const { Items, LastEvaluatedKey } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      IndexName: indexes.collection,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': collections.alerts },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor),
    }),
  );
  return {
    items: (Items ?? []).map(({ id, sku, name, available, threshold, daysOfCover, createdAt, published }) => ({
      id, sku, name, available, threshold, daysOfCover, createdAt, published,
    })),
    nextCursor: encodeCursor(LastEvaluatedKey),
  };
}
