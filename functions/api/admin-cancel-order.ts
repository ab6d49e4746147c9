import { adminActor } from '../commons/auth';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { cancelOrder } from '../orders/service';
import { voidAfterCancel } from '../orders/after-cancel';
import { adminOrderView } from '../orders/admin-view';

export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  const order = await cancelOrder(params.id!, adminActor(principal), 'Cancelled by an administrator', () => true);
  await voidAfterCancel(order);
  await auditAdminAction(principal, 'order.cancel', `order:${order.id}`);
  return json(200, await adminOrderView(order.id));
});
