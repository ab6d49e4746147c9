import { api, json } from '../commons/http';
import { listOrderReturns } from '../returns/service';
import { customerReturnView } from '../returns/views';

/** GET /orders/{id}/returns: the order's returns, oldest first (another customer's order is a 404). */
export const handler = api({ auth: 'customer' }, async ({ params, principal }) =>
  json(200, { items: (await listOrderReturns(params.id!, principal!.userId)).map(customerReturnView) }),
);
