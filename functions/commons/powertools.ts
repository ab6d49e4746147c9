import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One set of Powertools instances shared by every handler (same pattern as Powertools' examples/app). */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'order-service';

// Personal data (names, emails, addresses, phones) is never passed to the logger: log ids and statuses only.
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: 'OrderService', serviceName });
export const tracer = new Tracer({ serviceName });
