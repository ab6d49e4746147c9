import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { customerView } from '../domain/order';
import { orderStore } from '../adapters/order-store';

/** The caller's own orders, newest first. */
export const handler = api({ auth: 'customer', query: pageQuery }, async ({ principal, query }) => {
  const page = await orderStore.listByUser(principal!.userId, query.limit, query.cursor);
  return json(200, { items: page.items.map(customerView), nextCursor: page.nextCursor });
});
