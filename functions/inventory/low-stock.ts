import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { decodeCursor, encodeCursor, type Page } from '../commons/pagination';
import { logger, metrics } from '../commons/powertools';
import { alertMessage, daysOfCover, type LowStockAlert } from '../domain/inventory';
import { publishAlert } from '../adapters/alert-publisher';
import { once } from '../adapters/effect-claims';
import { stockAlertStore } from '../adapters/stock-alert-store';
import { salesStore } from '../adapters/sales-store';
import { productStore } from '../adapters/product-store';
import { collections, indexes, keys } from '../adapters/keys';

const SEVEN_DAYS_MS = 7 * 86400 * 1000;

/**
 * After stock went down: for each SKU, one alert per crossing to ≤ threshold. The winner of the conditional
 * flip stores the alert (unpublished) in the same transaction; publishing to SNS follows from the committed
 * alert through the outbox (publishStoredAlert), so a crash between the two never loses or doubles it.
 */
export async function checkLowStock(skus: Iterable<string>, atLeast: ReadonlyMap<string, number> = new Map()): Promise<LowStockAlert[]> {
  const fired: LowStockAlert[] = [];
  for (const sku of new Set(skus)) {
    const createdAt = new Date().toISOString();
    const id = crypto.randomUUID();
    let alert: LowStockAlert | undefined;
    // Name and sales rate are read only once a crossing is in sight, not on every reservation.
    const levels = await stockAlertStore.fireAlertIfCrossed(sku, async (levels, shards) => {
      const [product, sold] = await Promise.all([
        productStore.get(sku),
        salesStore.unitsSoldSince(sku, new Date(Date.now() - SEVEN_DAYS_MS).toISOString(), shards),
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
      return { ...keys.alert(id), entity: 'ALERT', gsi1pk: collections.alerts, gsi1sk: `${createdAt}#${id}`, ...alert, published: false };
    }, atLeast.get(sku));
    if (levels && alert) fired.push(alert);
  }
  return fired;
}

/** Publishes a stored alert to the SNS topic once (claim, publish, mark `published`). */
export async function publishStoredAlert(alertId: string): Promise<'done' | 'skipped'> {
  const key = keys.alert(alertId);
  const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: key, ConsistentRead: true }));
  if (!Item || Item.published === true) return 'skipped';
  const alert = Item as unknown as LowStockAlert;
  try {
    const outcome = await once(
      key,
      () => {
        const { subject, body } = alertMessage(alert);
        return publishAlert({ subject, body, attributes: { sku: alert.sku, type: 'LOW_STOCK' } });
      },
      { done: () => ({ published: true, publishedAt: new Date().toISOString() }) },
    );
    if (outcome === 'done') metrics.addMetric('AlertsPublished', 'Count', 1);
    return outcome;
  } catch (error) {
    metrics.addMetric('AlertPublishFailures', 'Count', 1);
    logger.error('Low-stock alert stored but not published yet', { sku: alert.sku, alertId, error: error as Error });
    throw error;
  }
}

/** Alerts stored but not yet published (the reconciler publishes those the outbox missed). */
export async function unpublishedAlerts(createdBefore: string, limit = 100): Promise<string[]> {
  const { Items = [] } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      IndexName: indexes.collection,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
      FilterExpression: 'published = :false',
      ExpressionAttributeValues: { ':pk': collections.alerts, ':before': createdBefore, ':false': false },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map((item) => String(item.id));
}

/** Stored alerts raised in [from, to] (ISO times), as stored: the reconciler checks their events. */
export async function alertsRaisedBetween(from: string, to: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: indexes.collection,
        // Sort keys are "<createdAt>#<id>": "~" sorts after every id character, so `to` is inclusive.
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': collections.alerts, ':from': from, ':to': `${to}~` },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** After stock went up: re-arm alerts of SKUs back above their threshold. */
export async function rearmLowStock(skus: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(skus)].map((sku) => stockAlertStore.rearmIfRecovered(sku)));
}

/** Alerts newest first; `open` lists only those not resolved yet (stock still at or below the threshold). */
export async function listAlerts(
  limit: number,
  cursor?: string,
  options: { open?: boolean } = {},
): Promise<Page<LowStockAlert & { published: boolean; resolvedAt: string | null }>> {
  const { Items, LastEvaluatedKey } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      IndexName: indexes.collection,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': collections.alerts },
      ...(options.open ? { FilterExpression: 'attribute_not_exists(resolvedAt)' } : {}),
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor),
    }),
  );
  return {
    items: (Items ?? []).map(({ id, sku, name, available, threshold, daysOfCover, createdAt, published, resolvedAt }) => ({
      id, sku, name, available, threshold, daysOfCover, createdAt, published, resolvedAt: resolvedAt ?? null,
    })),
    nextCursor: encodeCursor(LastEvaluatedKey),
  };
}
