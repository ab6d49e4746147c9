import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { rotateSecretBody } from '../webhooks/schemas';
import { rotateSecret, subscriptionView } from '../webhooks/service';

/** POST /admin/webhooks/{id}/rotate-secret: a new secret, shown once; the old one signs too until the grace period ends. */
export const handler = api({ auth: 'admin', body: rotateSecretBody }, async ({ params, body, principal }) => {
  const { subscription, secret } = await rotateSecret(params.id!, body.graceSeconds);
  await auditAdminAction(principal, 'webhook.rotate-secret', `webhook:${subscription.id}`, { graceSeconds: body.graceSeconds });
  return json(200, { ...subscriptionView(subscription), secret });
});
