import { api } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { deleteSubscription } from '../webhooks/service';

/** DELETE /admin/webhooks/{id}: 204; its pending deliveries are cancelled by the dispatcher. */
export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  await deleteSubscription(params.id!);
  await auditAdminAction(principal, 'webhook.delete', `webhook:${params.id}`, {});
  return { statusCode: 204 };
});
