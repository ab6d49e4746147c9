import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { endOf, isoDate, rangeCheck, startOf } from '../commons/date-range';
import { ProblemError } from '../commons/problem';
import { isLow } from '../domain/inventory';
import { inventoryStore } from '../adapters/inventory-store';
import { allOrders } from '../adapters/order-search';
import { overviewOf } from '../orders/reports';

const MAX_DAYS = 366;
const MAX_ORDERS = 50_000;
const overviewQuery = z.strictObject({ from: z.optional(isoDate), to: z.optional(isoDate) }).check(rangeCheck);

async function lowStockCount(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await inventoryStore.list(100, cursor);
    count += page.items.filter(isLow).length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

/** GET /admin/overview?from=&to= (default: the last 7 days, today included): the dashboard's home page. */
export const handler = api({ auth: 'admin', query: overviewQuery }, async ({ query }) => {
  const today = new Date().toISOString().slice(0, 10);
  const to = endOf(query.to ?? today);
  const sixDaysBefore = new Date(Date.parse(`${to.slice(0, 10)}T00:00:00.000Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  const from = startOf(query.from ?? sixDaysBefore);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_DAYS) {
    throw new ProblemError(422, 'range-too-long', `The overview covers at most ${MAX_DAYS} days; narrow from and to.`, [{ path: 'from', message: 'narrow the range' }]);
  }
  const [{ orders, truncated }, lowStock] = await Promise.all([allOrders({ from, to }, MAX_ORDERS), lowStockCount()]);
  if (truncated) throw new ProblemError(422, 'range-too-large', 'Too many orders in this range for one overview; narrow from and to.');
  return json(200, overviewOf(orders, { from, to }, lowStock), { 'cache-control': 'no-store' });
});
