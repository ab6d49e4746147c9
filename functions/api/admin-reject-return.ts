import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { rejectReturn } from '../returns/service';
import { adminReturnView } from '../returns/views';

const body = z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) });

/** POST /admin/returns/{id}/reject { reason } → REJECTED; its units become returnable again. */
export const handler = api({ auth: 'admin', body }, async ({ params, principal, body: request }) => {
  const rejected = await rejectReturn(params.id!, `admin:${principal!.username}`, request.reason);
  await auditAdminAction(principal, 'return.reject', `return:${rejected.id}`, {});
  return json(200, adminReturnView(rejected));
});
