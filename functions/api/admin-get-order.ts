import { api, json } from '../commons/http';
import { notFound } from '../commons/problem';
import { adminOrderView } from '../orders/admin-view';

export const handler = api({ auth: 'admin' }, async ({ params }) => {
  const view = await adminOrderView(params.id!);
  if (!view) throw notFound(`Order ${params.id} was not found.`);
  return json(200, view);
});
