import { api, json } from '../commons/http';
import { subscriptionStore } from '../adapters/webhook-store';
import { subscriptionView } from '../webhooks/service';

/** GET /admin/webhooks: every subscription (never its secrets). */
export const handler = api({ auth: 'admin' }, async () => json(200, { items: (await subscriptionStore.list()).map(subscriptionView) }));
