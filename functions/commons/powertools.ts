import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One set of Powertools instances shared by every handler (same pattern as Powertools' examples/app). */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'order-service';

// Personal data (names, emails, addresses, phones) is never passed to the logger: log ids and statuses only.
// Marked pure so a bundle keeps (and a cold start builds) only the instances its function uses.
export const logger = /* @__PURE__ */ new Logger({ serviceName });
export const metrics = /* @__PURE__ */ new Metrics({ namespace: 'OrderService', serviceName });
export const tracer = /* @__PURE__ */ new Tracer({ serviceName });
