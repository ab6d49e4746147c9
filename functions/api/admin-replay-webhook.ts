import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { replayBody } from '../webhooks/schemas';
import { replay } from '../webhooks/service';

/** POST /admin/webhooks/{id}/replay { eventIds } | { from, to }: 202, the chosen events are delivered again. */
export const handler = api({ auth: 'admin', body: replayBody }, async ({ params, body, principal }) => {
  const result = await replay(params.id!, body);
  await auditAdminAction(principal, 'webhook.replay', `webhook:${params.id}`, { replayId: result.replayId, events: result.events.length });
  return json(202, result);
});
