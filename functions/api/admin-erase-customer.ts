import { api, json } from '../commons/http';
import { conflict, notFound } from '../commons/problem';
import { auditAdminAction } from '../audit/record';
import { CustomerHasOpenOrders, eraseCustomer, USER_ID } from '../customers/personal-data';

/** POST /admin/customers/{userId}/erase — GDPR erasure; 409 while an order is open (audited). */
export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  const userId = params.userId ?? '';
  if (!USER_ID.test(userId)) throw notFound('No such customer.');
  try {
    const result = await eraseCustomer(userId);
    await auditAdminAction(principal, 'customer.erase', `customer:${userId}`, {
      orders: result.orders,
      itemsChanged: result.itemsChanged,
      idempotencyRecords: result.idempotencyRecords,
      emails: result.emails,
    });
    return json(200, result);
  } catch (error) {
    if (error instanceof CustomerHasOpenOrders && error.settling) {
      throw conflict('customer-orders-settling', `The last emails of orders ${error.openOrderIds.join(', ')} are still being sent; retry in a few seconds.`);
    }
    if (error instanceof CustomerHasOpenOrders) {
      throw conflict('customer-has-open-orders', `The customer has open orders (${error.openOrderIds.join(', ')}); erase once they are delivered, cancelled or failed.`);
    }
    throw error;
  }
});
