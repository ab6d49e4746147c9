import { api, json } from '../commons/http';
import { pageQuery } from '../commons/pagination';
import { listAlerts } from '../inventory/low-stock';

export const handler = api({ auth: 'admin', query: pageQuery }, async ({ query }) => json(200, await listAlerts(query.limit, query.cursor)));
