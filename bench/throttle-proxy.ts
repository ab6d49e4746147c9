/**
 * A model of DynamoDB's per-item write limit, as an HTTP proxy in front of DynamoDB Local (point
 * DYNAMODB_ENDPOINT at it). Every item has a token bucket of `unitsPerItemPerSecond` write units (1 s of
 * burst); a write costs 1 unit per item, a transactional write 2 units per item (as on DynamoDB, for items up
 * to 1 KB). A request that would overdraw an item is answered as DynamoDB answers: ThrottlingException for
 * single-item writes, TransactionCanceledException with `ThrottlingError` reasons for transactions; nothing
 * reaches DynamoDB Local then. Reads pass untouched. Scaled down (DynamoDB: 1,000 units per item per second)
 * so that one laptop can drive the ceiling.
 *
 * With `indexes: true`, index partitions are modelled the same way: the proxy remembers each item's GSI partition keys (gsi1pk…
 * gsi4pk) from the writes it forwards, and every write to an item charges 1 unit to each index partition the
 * item is in before or after it (the projection is ALL, so any change rewrites the index entry; a key change
 * is a delete in the old partition and a put in the new one), 1 unit per KB of the item as last put. An overdrawn index partition throttles the
 * base write, as DynamoDB's back-pressure from a GSI does. `stats.units` has the units each bucket (item or
 * `index:<gsi>:<key>`) took, for the busiest-partition report of `npm run bench:hot`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyStats {
  forwarded: number;
  throttled: number;
  /** Requests by DynamoDB operation (forwarded ones). */
  operations: Record<string, number>;
  /** Capacity units DynamoDB Local reported (ReturnConsumedCapacity=TOTAL added to every request that takes it). */
  readUnits: number;
  writeUnits: number;
  /** Write units charged per bucket: an item (`<table>|<pk>|<sk>`) or an index partition (`index:<gsi>:<key>`). */
  units: Map<string, number>;
  /** Throttled requests by the bucket that was overdrawn. */
  throttledBy: Map<string, number>;
}

export interface ThrottleProxy {
  endpoint: string;
  stats: ProxyStats;
  /** Changes the per-item budget (Infinity: meter only), e.g. to set up data before the clock starts. */
  setRate(unitsPerItemPerSecond: number): void;
  stop(): Promise<void>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const CAPACITY_OPS = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/**
 * `unitsPerItemPerSecond: Infinity` makes it a pure meter: nothing is throttled, every request is counted with
 * the capacity DynamoDB Local reports for it (what `npm run bench` uses).
 */
export async function startThrottleProxy(options: { target: string; unitsPerItemPerSecond: number; /** Also limit (and count) index partitions. */ indexes?: boolean }): Promise<ThrottleProxy> {
  let rate = options.unitsPerItemPerSecond;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const stats: ProxyStats = { forwarded: 0, throttled: 0, operations: {}, readUnits: 0, writeUnits: 0, units: new Map(), throttledBy: new Map() };
  /** Each item's index partition keys, as the writes forwarded so far left them. */
  const indexKeys = new Map<string, Record<string, string>>();
  /** Each item's size in KB (rounded up, from its last Put): what one write of its index entry costs. */
  const itemKb = new Map<string, number>();
  const GSI_KEY = /^gsi\d+pk$/;

  const keyOf = (table: string, key: Record<string, any>) => `${table}|${JSON.stringify(key.pk ?? key)}|${JSON.stringify(key.sk ?? '')}`;
  const available = (id: string, now: number) => {
    const b = buckets.get(id) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(id, b);
    return b;
  };

  interface Write {
    id: string;
    units: number;
    /** The item's index keys after the write (undefined: unchanged or unknown). */
    after?: Record<string, string>;
    /** A transaction's ConditionCheck: capacity on the item, nothing written to any index. */
    check?: boolean;
    /** KB of a Put item (DynamoDB JSON length, a close upper bound of DynamoDB's item size). */
    kb?: number;
  }

  /** GSI partition keys an Item (DynamoDB JSON) carries. */
  const keysOfItem = (item: Record<string, any>) =>
    Object.fromEntries(Object.entries(item).filter(([k, v]) => GSI_KEY.test(k) && v?.S !== undefined).map(([k, v]) => [k, String(v.S)]));

  /** Index keys an update leaves: the SET assignments of gsiNpk over what the item had. */
  function keysAfterUpdate(id: string, spec: any): Record<string, string> | undefined {
    const names: Record<string, string> = spec.ExpressionAttributeNames ?? {};
    const values: Record<string, any> = spec.ExpressionAttributeValues ?? {};
    const set = String(spec.UpdateExpression ?? '').split(/\b(?:REMOVE|ADD|DELETE)\b/)[0] ?? '';
    const assigned: Record<string, string> = {};
    for (const m of set.matchAll(/(#?[\w]+)\s*=\s*(:[\w]+)/g)) {
      const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1]!;
      if (name && GSI_KEY.test(name) && values[m[2]!]?.S !== undefined) assigned[name] = String(values[m[2]!].S);
    }
    return Object.keys(assigned).length ? { ...(indexKeys.get(id) ?? {}), ...assigned } : undefined;
  }

  /** The items a write touches and the units each costs; empty for reads. */
  function writesOf(target: string, body: any): Write[] {
    const op = target.split('.')[1];
    const one = (kind: string, table: string, spec: any, units: number): Write => {
      if (kind === 'Put') {
        const id = keyOf(table, { pk: spec.Item.pk, sk: spec.Item.sk });
        return { id, units, after: keysOfItem(spec.Item), kb: Math.max(1, Math.ceil(JSON.stringify(spec.Item).length / 1024)) };
      }
      const id = keyOf(table, spec.Key);
      if (kind === 'Delete') return { id, units, after: {} };
      if (kind === 'Update') return { id, units, after: keysAfterUpdate(id, spec) };
      return { id, units, check: true }; // ConditionCheck: charged as a write, changes nothing
    };
    if (op === 'TransactWriteItems') {
      return (body.TransactItems ?? []).map((t: any) => {
        const [kind, spec] = Object.entries(t)[0] as [string, any];
        return one(kind, spec.TableName, spec, 2);
      });
    }
    if (op === 'PutItem') return [one('Put', body.TableName, body, 1)];
    if (op === 'UpdateItem') return [one('Update', body.TableName, body, 1)];
    if (op === 'DeleteItem') return [one('Delete', body.TableName, body, 1)];
    if (op === 'BatchWriteItem') {
      return Object.entries(body.RequestItems ?? {}).flatMap(([table, reqs]: [string, any]) =>
        reqs.map((r: any) => (r.PutRequest ? one('Put', table, r.PutRequest, 1) : one('Delete', table, r.DeleteRequest, 1))),
      );
    }
    return [];
  }

  /** The buckets a write charges: the item, then each index partition it leaves, keeps or enters. */
  function chargesOf(w: Write): { bucket: string; units: number }[] {
    const charges = [{ bucket: w.id, units: w.units }];
    if (w.check || !options.indexes) return charges;
    const before = indexKeys.get(w.id) ?? {};
    const after = w.after ?? before;
    const table = w.id.split('|')[0];
    // An index write costs 1 unit per KB of the projected item (projection ALL: the whole item).
    const units = w.kb ?? itemKb.get(w.id) ?? 1;
    for (const gsi of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const name = gsi.replace(/pk$/, '');
      if (before[gsi] !== undefined) charges.push({ bucket: `index:${table}:${name}:${before[gsi]}`, units });
      if (after[gsi] !== undefined && after[gsi] !== before[gsi]) charges.push({ bucket: `index:${table}:${name}:${after[gsi]}`, units });
    }
    return charges;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      let raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.split('.')[1] ?? '';
      let writes: Write[] = [];
      try {
        const body = JSON.parse(raw.toString('utf8') || '{}');
        writes = writesOf(target, body);
        if (CAPACITY_OPS.has(op) && !body.ReturnConsumedCapacity) {
          body.ReturnConsumedCapacity = 'TOTAL';
          raw = Buffer.from(JSON.stringify(body)); // DynamoDB Local does not check the payload signature
        }
      } catch {
        writes = [];
      }
      const now = Date.now();
      const charges = writes.map(chargesOf);
      // One request may charge a bucket more than once (two items in one index partition): sum per bucket.
      const needed = new Map<string, number>();
      for (const c of charges.flat()) needed.set(c.bucket, (needed.get(c.bucket) ?? 0) + c.units);
      const overdrawn = new Set(Number.isFinite(rate) ? [...needed].filter(([b, u]) => available(b, now).tokens < u).map(([b]) => b) : []);
      const over = charges.map((cs) => cs.some((c) => overdrawn.has(c.bucket)));
      if (over.some(Boolean)) {
        stats.throttled++;
        for (const b of overdrawn) stats.throttledBy.set(b, (stats.throttledBy.get(b) ?? 0) + 1);
        const transaction = target.endsWith('.TransactWriteItems');
        const body = transaction
          ? {
              __type: `${PREFIX}TransactionCanceledException`,
              message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${over.map((o) => (o ? 'ThrottlingError' : 'None')).join(', ')}]`,
              CancellationReasons: over.map((o) => (o ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table or index.' } : { Code: 'None' })),
            }
          : { __type: `${PREFIX}ThrottlingException`, message: 'Throughput exceeds the current capacity of your table or index.' };
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
        return;
      }
      for (const [b, u] of needed) {
        available(b, now).tokens -= u;
        stats.units.set(b, (stats.units.get(b) ?? 0) + u);
      }
      stats.forwarded++;
      stats.operations[op] = (stats.operations[op] ?? 0) + 1;
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const upstream = await fetch(`${options.target}${req.url ?? '/'}`, { method: req.method, headers, body: raw.length ? raw : undefined });
        const out = Buffer.from(await upstream.arrayBuffer());
        try {
          const consumed = JSON.parse(out.toString('utf8')).ConsumedCapacity;
          const units = [consumed ?? []].flat().reduce((n: number, c: { CapacityUnits?: number }) => n + (c?.CapacityUnits ?? 0), 0);
          if (READS.has(op)) stats.readUnits += units;
          else stats.writeUnits += units;
        } catch {
          // not JSON: nothing to count
        }
        const outHeaders: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') outHeaders[k] = v;
        });
        // The item's index keys change only if the write happened (a failed condition leaves them).
        if (upstream.status === 200) {
          for (const w of writes) {
            if (w.after) indexKeys.set(w.id, w.after);
            if (w.kb) itemKb.set(w.id, w.kb);
          }
        }
        res.writeHead(upstream.status, outHeaders);
        res.end(out);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: `${PREFIX}InternalServerError`, message: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setRate: (units: number) => {
      rate = units;
      buckets.clear();
    },
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
