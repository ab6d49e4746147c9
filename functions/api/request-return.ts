import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { sku } from '../domain/schemas';
import { requestReturn } from '../returns/service';
import { customerReturnView } from '../returns/views';

const body = z.strictObject({
  items: z.array(
    z.strictObject({
      sku,
      quantity: z.number().check(z.int('must be an integer'), z.gte(1), z.lte(100)),
      reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
    }),
  ).check(
    z.minLength(1),
    z.maxLength(50),
    z.superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.sku)) ctx.addIssue({ code: 'custom', path: [index, 'sku'], message: `duplicate SKU ${item.sku}: use one line per SKU` });
        seen.add(item.sku);
      });
    }),
  ),
});

/**
 * POST /orders/{id}/returns: 201 `{ id, status: "REQUESTED", items }`; 422 outside the return window or
 * beyond what was delivered minus what returns already hold (enforced by conditions, so concurrent requests
 * cannot together exceed it). Another customer's order is a 404.
 */
export const handler = api({ auth: 'customer', body }, async ({ params, principal, body: request }) => {
  const created = await requestReturn(params.id!, principal!.userId, request.items);
  return json(201, customerReturnView(created));
});
