import * as z from '../domain/zod';
import { api, json } from '../commons/http';
import { config } from '../commons/config';
import { describeAlarms, readLocalAlarms } from '../adapters/ops-alarms';

const query = z.strictObject({ limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25) });

/**
 * GET /admin/ops/alarms — on AWS the state of this stack's CloudWatch alarms (ALARM first); locally what
 * would have alarmed, newest first, from .data/ops/alarms.log. Not paged: the newest `limit` entries.
 */
export const handler = api({ auth: 'admin', query }, async ({ query: { limit } }) => {
  const prefix = config.opsAlarmPrefix();
  const dataDir = config.localDataDir();
  const source = prefix ? 'cloudwatch' : 'local';
  const items = prefix ? await describeAlarms(prefix, limit) : dataDir ? await readLocalAlarms(dataDir, limit) : [];
  return json(200, { source, items, nextCursor: null }, { 'cache-control': 'no-store' });
});
