import { api, json } from '../commons/http';
import { notFound } from '../commons/problem';
import { auditAdminAction } from '../audit/record';
import { exportCustomer, USER_ID } from '../customers/personal-data';

/** GET /admin/customers/{userId}/export — everything held about the customer, as JSON (audited). */
export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  const userId = params.userId ?? '';
  if (!USER_ID.test(userId)) throw notFound('No such customer.');
  const data = await exportCustomer(userId);
  await auditAdminAction(principal, 'customer.export', `customer:${userId}`, { orders: data.orders.length, emails: data.emails.length });
  return json(200, data, { 'content-disposition': `attachment; filename="customer-${userId}.json"` });
});
