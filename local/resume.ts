import { orderStore } from '../functions/adapters/order-store';
import { startOrderWorkflow } from '../functions/adapters/workflow';
import { config } from '../functions/commons/config';
import type { OrderStatus } from '../functions/domain/order';

const OPEN: OrderStatus[] = ['PENDING', 'RESERVED', 'PAID', 'LABELLED'];

/**
 * Local executions live in memory, so stopping `npm start` mid-saga abandons them. On the next start every
 * order still open gets a fresh execution: each step recognises work already done (a reserved order is
 * not reserved again, a paid one not charged again) and the saga carries on from where the order is.
 * On AWS, Step Functions keeps executions across deploys; this is local-mode only.
 */
export async function resumeOpenOrders(): Promise<number> {
  let resumed = 0;
  for (const status of OPEN) {
    let cursor: string | undefined;
    do {
      const page = await orderStore.search({ status, limit: 100, cursor });
      for (const order of page.items) {
        await startOrderWorkflow({ orderId: order.id, holdSeconds: config.orderHoldSeconds() });
        resumed++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return resumed;
}
