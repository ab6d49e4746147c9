import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EmfOutput, MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One set of Powertools instances shared by every handler (same pattern as Powertools' examples/app). */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'order-service';
export const METRICS_NAMESPACE = 'OrderService';

// Personal data (names, emails, addresses, phones) is never passed to the logger: log ids and statuses only.
// Debug sampling: POWERTOOLS_LOGGER_SAMPLE_RATE (0..1, share of invocations logged at DEBUG) is read by the
// Logger and re-drawn per invocation by injectLambdaContext.
// Marked pure so a bundle keeps (and a cold start builds) only the instances its function uses.
export const logger = /* @__PURE__ */ new Logger({ serviceName });

/** Where EMF documents go instead of stdout (local mode evaluates them against the alarm rules). */
export type MetricsSink = (document: EmfOutput) => void;
let sink: MetricsSink | undefined;

/**
 * Local mode only: route every flushed EMF document to `target` instead of stdout (undefined restores
 * stdout). On AWS nothing calls this and Powertools prints EMF for CloudWatch as usual.
 */
export function setMetricsSink(target: MetricsSink | undefined): void {
  sink = target;
}

// Powertools warns on every flush without application metrics (most reads): that is normal here.
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) => {
    const message = String(args[0]);
    if (message.startsWith('No application metrics to publish')) logger.debug(message);
    else logger.warn(message);
  },
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

/**
 * Powertools Metrics whose flush can be redirected to a sink. Single metrics (cold start, dimensioned
 * business metrics) are instances of this class too, so they follow the same route.
 */
class ServiceMetrics extends Metrics {
  constructor(options: MetricsOptions) {
    super({ logger: metricsLogger, ...options });
  }

  override publishStoredMetrics(): this {
    const target = sink;
    if (!target) return super.publishStoredMetrics();
    try {
      if (this.hasStoredMetrics()) target(this.serializeMetrics());
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }

  override singleMetric(): ServiceMetrics {
    return new ServiceMetrics({ namespace: METRICS_NAMESPACE, serviceName, singleMetric: true });
  }
}

export const metrics: Metrics = /* @__PURE__ */ new ServiceMetrics({ namespace: METRICS_NAMESPACE, serviceName });
export const tracer = /* @__PURE__ */ new Tracer({ serviceName });

/**
 * Count one business event. Without dimensions it joins the invocation's flush. With dimensions it is
 * published at once as its own EMF document with two dimension sets, `[service]` (the total, which alarms
 * and the dashboard sum) and `[service, ...dimensions]` (the breakdown). Dimension values must be
 * low-cardinality (a reason, a code, a step name): never an order id, a SKU or an email.
 */
export function countMetric(name: string, dimensions: Record<string, string> = {}, value = 1): void {
  if (Object.keys(dimensions).length === 0) {
    metrics.addMetric(name, MetricUnit.Count, value);
    return;
  }
  const single = metrics.singleMetric();
  single.addDimensions({});
  single.addDimensions(dimensions);
  single.addMetric(name, MetricUnit.Count, value);
}

/** Tag this invocation's logs and trace with the order it works on (ids only, never personal data). */
export function tagOrder(orderId: string): void {
  logger.appendKeys({ orderId });
  tracer.putAnnotation('orderId', orderId);
}
