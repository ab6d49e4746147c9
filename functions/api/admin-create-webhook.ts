import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { createWebhookBody } from '../webhooks/schemas';
import { createSubscription, subscriptionView } from '../webhooks/service';

/** POST /admin/webhooks: 201 with the signing secret, the only answer that ever shows it (until a rotation). */
export const handler = api({ auth: 'admin', body: createWebhookBody }, async ({ body, principal }) => {
  const { subscription, secret } = await createSubscription(body);
  await auditAdminAction(principal, 'webhook.create', `webhook:${subscription.id}`, { events: subscription.events, scope: subscription.scope });
  return json(201, { ...subscriptionView(subscription), secret });
});
