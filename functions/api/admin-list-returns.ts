import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { pageQuery } from '../commons/page-query';
import { RETURN_STATUSES } from '../domain/returns';
import { listReturns } from '../returns/service';
import { adminReturnView } from '../returns/views';

const query = z.extend(pageQuery, { status: z.optional(z.enum(RETURN_STATUSES)) });

/** GET /admin/returns?status=: the returns queue; one status oldest first (work order), all newest first. */
export const handler = api({ auth: 'admin', query }, async ({ query: q }) => {
  const page = await listReturns(q.status, q.limit, q.cursor);
  return json(200, { items: page.items.map(adminReturnView), nextCursor: page.nextCursor });
});
