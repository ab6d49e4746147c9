import { api, json } from '../commons/http';
import { customerView } from '../domain/order';
import { cancelOrder } from '../orders/service';
import { voidAfterCancel } from '../orders/after-cancel';

export const handler = api({ auth: 'customer' }, async ({ params, principal }) => {
  const order = await cancelOrder(params.id!, `customer:${principal!.username}`, 'Cancelled by the customer', (o) => o.userId === principal!.userId);
  return json(200, customerView(await voidAfterCancel(order)));
});
