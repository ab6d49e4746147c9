/**
 * Every jest worker starts with metrics off, as local mode runs them (POWERTOOLS_METRICS_DISABLED is read when
 * the shared Metrics instance is built, at module load). A test of the EMF output turns them on itself.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// As in local mode: every handler of a test file shares one DynamoDB client (functions/commons/clients.ts).
process.env.DYNAMODB_REQUEST_TIMEOUT_MS ??= '0';
