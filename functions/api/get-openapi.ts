import { api, json } from '../commons/http';
import document from '../openapi/openapi.json';

/**
 * GET /openapi.json (public): the OpenAPI 3.1 document of every route. It is generated at build time from the
 * route table and the zod schemas each handler validates with (`npm run openapi`, lib/openapi.ts), because
 * run-time code may not import lib/; test/infra/openapi.test.ts fails when the committed file is stale.
 */
export const handler = api({ auth: 'public' }, async () => json(200, document, { 'cache-control': 'public, max-age=300' }));
