import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { tracer } from '../commons/powertools';

/** Built on first use by the one function that reads alarm states (GET /admin/ops/alarms on AWS). */
let cloudWatch: CloudWatchClient | undefined;
const cloudWatchClient = () => (cloudWatch ??= tracer.captureAWSv3Client(new CloudWatchClient({})));

/** One ops alarm as the admin dashboard shows it: names, states and reasons only, never personal data. */
export interface OpsAlarm {
  /** The rule id (lib/alarms.ts), with the resource for per-resource alarms: FunctionFaults-PlaceOrder. */
  alarm: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  reason: string;
  /** When it entered this state. */
  at: string;
}

/** Where local mode appends what would alarm (one JSON line each: at, alarm, reason). */
export const localAlarmsLog = (dataDir: string) => join(dataDir, 'ops', 'alarms.log');

/** Local mode: the newest `limit` lines of .data/ops/alarms.log, newest first (every line is a transition to ALARM). */
export async function readLocalAlarms(dataDir: string, limit: number): Promise<OpsAlarm[]> {
  let text: string;
  try {
    text = await readFile(localAlarmsLog(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .slice(-limit)
    .reverse()
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { at: string; alarm: string; reason: string };
        return [{ alarm: entry.alarm, state: 'ALARM' as const, reason: entry.reason, at: entry.at }];
      } catch {
        return [];
      }
    });
}

/** On AWS: this stack's CloudWatch alarms (by name prefix), those in ALARM first, then by last change. */
export async function describeAlarms(prefix: string, limit: number): Promise<OpsAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudWatchClient().send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: nextToken }));
    alarms.push(...(page.MetricAlarms ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const rank = (state: string | undefined) => (state === 'ALARM' ? 0 : state === 'INSUFFICIENT_DATA' ? 1 : 2);
  return alarms
    .map((a) => ({
      alarm: (a.AlarmName ?? '').slice(prefix.length),
      state: (a.StateValue ?? 'INSUFFICIENT_DATA') as OpsAlarm['state'],
      reason: a.StateReason ?? '',
      at: (a.StateUpdatedTimestamp ?? new Date(0)).toISOString(),
    }))
    .sort((x, y) => rank(x.state) - rank(y.state) || y.at.localeCompare(x.at))
    .slice(0, limit);
}
