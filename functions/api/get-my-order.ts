import { api, json } from '../commons/http';
import { notFound } from '../commons/problem';
import { customerView } from '../domain/order';
import { orderStore } from '../adapters/order-store';

/** Another customer's order is a 404, exactly like a missing one: its existence is never revealed. */
export const handler = api({ auth: 'customer' }, async ({ params, principal }) => {
  const order = await orderStore.get(params.id!, false);
  if (!order || order.userId !== principal!.userId) throw notFound(`Order ${params.id} was not found.`);
  return json(200, customerView(order));
});
