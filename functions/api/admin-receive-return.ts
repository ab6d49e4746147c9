import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { sku } from '../domain/schemas';
import { DISPOSITIONS } from '../domain/returns';
import { receiveReturn } from '../returns/receive';
import { adminReturnView } from '../returns/views';

const body = z.strictObject({
  items: z.array(z.strictObject({ sku, quantity: z.number().check(z.int('must be an integer'), z.gte(1), z.lte(100)), disposition: z.enum(DISPOSITIONS) })).check(z.minLength(1), z.maxLength(100)),
});

/**
 * POST /admin/returns/{id}/receive { items: [{ sku, quantity, disposition }] } → RECEIVED, then the restock
 * (at the return's location) and the refund of the received lines → REFUNDED. Repeating the call after an
 * interruption finishes the same receipt; it never restocks or refunds twice.
 */
export const handler = api({ auth: 'admin', body }, async ({ params, principal, body: request }) => {
  const received = await receiveReturn(params.id!, `admin:${principal!.username}`, request.items);
  await auditAdminAction(principal, 'return.receive', `return:${received.id}`, { lines: request.items.length });
  return json(200, adminReturnView(received));
});
