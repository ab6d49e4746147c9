import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { alarmRules, type AlarmRule } from '../lib/alarms';

/**
 * Local mode's stand-in for CloudWatch alarms: it evaluates the rules of lib/alarms.ts (the ones CDK
 * deploys) against what the in-process handlers and the local gateway and Step Functions report, and
 * appends one JSON line `{ at, alarm, reason }` to .data/ops/alarms.log each time an alarm would go into
 * ALARM (the admin dashboard lists them through GET /admin/ops/alarms).
 *
 * Signals: the service's EMF metrics (through the Powertools metrics sink), `ApiResponses` (every gateway
 * response, with its status), `FunctionErrors` (a handler that threw or timed out, per route), and
 * `ExecutionFaults` (a failed or timed-out execution). Each rule looks at its last period (one evaluation
 * period locally) whenever one of its signals arrives; an alarm returns to OK at the first evaluation under
 * the threshold, and only transitions to ALARM are written. Rules that need AWS (table throttling, stream
 * lag, dead-letter queues) are not evaluated locally (lib/alarms.ts says why).
 */
interface Datapoint {
  at: number;
  value: number;
  subject?: string;
  status?: number;
}

export interface LocalAlarmLine {
  at: string;
  alarm: string;
  reason: string;
}

type EmfDocument = { _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } } & Record<string, unknown>;

const signalOf = (rule: AlarmRule) => ('signal' in rule.local ? rule.local.signal : undefined);
const describe = (rule: AlarmRule) => `${rule.comparison} ${rule.threshold}`;

export class LocalAlarmEvaluator {
  private readonly points = new Map<string, Datapoint[]>();
  private readonly firing = new Set<string>();
  private readonly keepMs: number;

  constructor(
    readonly file: string,
    private readonly rules: readonly AlarmRule[] = alarmRules,
    private readonly now: () => number = Date.now,
  ) {
    this.keepMs = Math.max(...rules.map((r) => r.periodSeconds)) * 1000;
  }

  /** One observation of a signal (subject: the function name for per-function rules). */
  record(signal: string, value: number, extra: { subject?: string; status?: number } = {}): void {
    const at = this.now();
    const list = this.points.get(signal) ?? [];
    list.push({ at, value, ...extra });
    this.points.set(signal, list.filter((p) => p.at > at - this.keepMs));
    for (const rule of this.rules) if (signalOf(rule) === signal) this.evaluate(rule, extra.subject);
  }

  /** A flushed Powertools EMF document: each metric value counts once, whatever its dimension sets. */
  recordEmf(document: EmfDocument): void {
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of directive.Metrics ?? []) {
        const raw = document[Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        for (const value of values) this.record(Name, value);
      }
    }
  }

  private window(signal: string, periodSeconds: number, subject: string | undefined): Datapoint[] {
    const since = this.now() - periodSeconds * 1000;
    return (this.points.get(signal) ?? []).filter((p) => p.at > since && (subject === undefined || p.subject === subject));
  }

  private evaluate(rule: AlarmRule, subject: string | undefined): void {
    const signal = signalOf(rule)!;
    const points = this.window(signal, rule.periodSeconds, rule.source.kind === 'functionFaults' ? subject : undefined);
    let value: number;
    let what: string;
    if (rule.source.kind === 'api5xxRate') {
      const errors = points.filter((p) => (p.status ?? 0) >= 500).length;
      value = points.length >= rule.source.minRequests ? (100 * errors) / points.length : 0;
      what = `${errors} of ${points.length} API responses were 5xx (${value.toFixed(1)}%)`;
    } else if ((rule.source.kind === 'serviceMetric' && rule.source.statistic === 'Maximum') || rule.source.kind === 'iteratorAge') {
      value = Math.max(0, ...points.map((p) => p.value));
      what = `${signal} reached ${value}`;
    } else {
      value = points.reduce((sum, p) => sum + p.value, 0);
      what = `${signal} = ${value}${subject && rule.source.kind === 'functionFaults' ? ` (${subject})` : ''}`;
    }
    const breaching = rule.comparison === '>=' ? value >= rule.threshold : value > rule.threshold;
    const key = rule.source.kind === 'functionFaults' && subject ? `${rule.id}-${subject}` : rule.id;
    if (!breaching) {
      this.firing.delete(key);
      return;
    }
    if (this.firing.has(key)) return;
    this.firing.add(key);
    this.append({ at: new Date(this.now()).toISOString(), alarm: key, reason: `${what} in the last ${rule.periodSeconds} s (threshold ${describe(rule)}).` });
  }

  private append(line: LocalAlarmLine): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

let current: LocalAlarmEvaluator | undefined;

/** The evaluator of the running local stack, if any (the gateway and the Step Functions runner report to it). */
export const localAlarms = (): LocalAlarmEvaluator | undefined => current;

/**
 * Starts evaluating for a local stack whose data lives in `dataDir`: alarms go to dataDir/ops/alarms.log,
 * and Powertools metrics of the in-process handlers go to the evaluator instead of stdout.
 */
export function installLocalAlarms(dataDir: string): LocalAlarmEvaluator {
  const evaluator = new LocalAlarmEvaluator(path.join(dataDir, 'ops', 'alarms.log'));
  current = evaluator;
  // Required here, not imported: the Powertools instances must be created after the local environment
  // (log level, service name) is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { setMetricsSink } = require('../functions/commons/powertools') as typeof import('../functions/commons/powertools');
  setMetricsSink((document) => evaluator.recordEmf(document as unknown as EmfDocument));
  return evaluator;
}
