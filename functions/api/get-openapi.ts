import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { api, type ApiResponse } from '../commons/http';
import { OPENAPI_FILE_NAME } from '../openapi/document-file';

/**
 * On Lambda the document sits beside the bundle (copied there by lib/constructs/service-function.ts for
 * route need 'openapi'); locally and in tests it is read from the repository. Not imported: as a JS object
 * literal it was ~95 KB of every cold start of this function, for one request in many.
 */
function documentPath(): string {
  const beside = process.env.LAMBDA_TASK_ROOT && path.join(process.env.LAMBDA_TASK_ROOT, OPENAPI_FILE_NAME);
  return beside && existsSync(beside) ? beside : require.resolve(`../openapi/${OPENAPI_FILE_NAME}`);
}

let body: Promise<string> | undefined;
const documentBody = () => {
  body ??= readFile(documentPath(), 'utf8').then((text) => JSON.stringify(JSON.parse(text)));
  body.catch(() => (body = undefined));
  return body;
};

/**
 * GET /openapi.json (public): the OpenAPI 3.1 document of every route. It is generated at build time from the
 * route table and the zod schemas each handler validates with (`npm run openapi`, lib/openapi.ts), because
 * run-time code may not import lib/; test/infra/openapi.test.ts fails when the committed file is stale.
 */
export const handler = api({ auth: 'public' }, async (): Promise<ApiResponse> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  body: await documentBody(),
}));
