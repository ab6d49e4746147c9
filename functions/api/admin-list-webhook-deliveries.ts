import { api, json } from '../commons/http';
import { decodeCursor, encodeCursor } from '../commons/pagination';
import { pageQuery } from '../commons/page-query';
import { notFound } from '../commons/problem';
import { deliveryStore } from '../adapters/event-store';
import { subscriptionStore } from '../adapters/webhook-store';
import { deliveryView } from '../webhooks/service';

/** GET /admin/webhooks/{id}/deliveries: newest first, each with its attempts (status, latency), state and next retry. */
export const handler = api({ auth: 'admin', query: pageQuery }, async ({ params, query }) => {
  // A tampered cursor is a 400 whatever it names.
  const start = decodeCursor(query.cursor);
  if (!(await subscriptionStore.get(params.id!, false))) throw notFound(`Webhook subscription ${params.id} was not found.`);
  const page = await deliveryStore.list(params.id!, query.limit, start);
  return json(200, { items: page.items.map(deliveryView), nextCursor: encodeCursor(page.lastKey) });
});
