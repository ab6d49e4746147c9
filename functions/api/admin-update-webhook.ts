import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { updateWebhookBody } from '../webhooks/schemas';
import { subscriptionView, updateSubscription } from '../webhooks/service';

/** PATCH /admin/webhooks/{id}: url, events, active, scope. */
export const handler = api({ auth: 'admin', body: updateWebhookBody }, async ({ params, body, principal }) => {
  const subscription = await updateSubscription(params.id!, body);
  await auditAdminAction(principal, 'webhook.update', `webhook:${subscription.id}`, { fields: Object.keys(body).sort() });
  return json(200, subscriptionView(subscription));
});
