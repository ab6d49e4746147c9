import * as z from '../domain/zod';
import { api } from '../commons/http';
import { notFound } from '../commons/problem';
import { labelResponse } from '../fulfillment/label-response';
import { getReturn } from '../returns/service';

const labelQuery = z.strictObject({ format: z._default(z.enum(['pdf', 'zpl']), 'pdf') });

/** GET /admin/returns/{id}/label?format=pdf|zpl: the return label (customer → location) once approved. */
export const handler = api({ auth: 'admin', query: labelQuery }, async ({ params, query, headers }) => {
  const r = await getReturn(params.id!);
  if (!r.labelKeys || !r.trackingNumber) throw notFound(`Return ${r.id} has no label yet.`);
  return labelResponse({ keys: r.labelKeys, trackingNumber: r.trackingNumber, what: `return ${r.id}` }, query.format, headers);
});
