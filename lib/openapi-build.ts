import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, OPENAPI_FILES, serialize } from './openapi';

/** `npm run openapi`: regenerates the OpenAPI document GET /openapi.json serves and docs publish. */
const root = path.resolve(__dirname, '..');
const text = serialize(buildOpenApiDocument());
for (const file of OPENAPI_FILES) writeFileSync(path.join(root, file), text);
console.log(`OpenAPI document written to ${OPENAPI_FILES.join(', ')}`);
