/** The generated OpenAPI document's file name, in this directory and beside the GetOpenApi bundle on Lambda. */
export const OPENAPI_FILE_NAME = 'openapi.json';
