/**
 * A model of DynamoDB's per-item write limit, as an HTTP proxy in front of DynamoDB Local (point
 * DYNAMODB_ENDPOINT at it). Every item has a token bucket of `unitsPerItemPerSecond` write units (1 s of
 * burst); a write costs 1 unit per item, a transactional write 2 units per item (as on DynamoDB, for items up
 * to 1 KB). A request that would overdraw an item is answered as DynamoDB answers: ThrottlingException for
 * single-item writes, TransactionCanceledException with `ThrottlingError` reasons for transactions; nothing
 * reaches DynamoDB Local then. Reads pass untouched. Scaled down (DynamoDB: 1,000 units per item per second)
 * so that one laptop can drive the ceiling.
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
}

export interface ThrottleProxy {
  endpoint: string;
  stats: ProxyStats;
  stop(): Promise<void>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const CAPACITY_OPS = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/**
 * `unitsPerItemPerSecond: Infinity` makes it a pure meter: nothing is throttled, every request is counted with
 * the capacity DynamoDB Local reports for it (what `npm run bench` uses).
 */
export async function startThrottleProxy(options: { target: string; unitsPerItemPerSecond: number }): Promise<ThrottleProxy> {
  const rate = options.unitsPerItemPerSecond;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const stats: ProxyStats = { forwarded: 0, throttled: 0, operations: {}, readUnits: 0, writeUnits: 0 };

  const keyOf = (table: string, key: Record<string, any>) => `${table}|${JSON.stringify(key.pk ?? key)}|${JSON.stringify(key.sk ?? '')}`;
  const available = (id: string, now: number) => {
    const b = buckets.get(id) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(id, b);
    return b;
  };

  /** The items a write touches and the units each costs; empty for reads. */
  function writesOf(target: string, body: any): { id: string; units: number }[] {
    const op = target.split('.')[1];
    if (op === 'TransactWriteItems') {
      return (body.TransactItems ?? []).map((t: any) => {
        const [kind, spec] = Object.entries(t)[0] as [string, any];
        const key = kind === 'Put' ? { pk: spec.Item.pk, sk: spec.Item.sk } : spec.Key;
        return { id: keyOf(spec.TableName, key), units: 2 };
      });
    }
    if (op === 'PutItem') return [{ id: keyOf(body.TableName, { pk: body.Item.pk, sk: body.Item.sk }), units: 1 }];
    if (op === 'UpdateItem' || op === 'DeleteItem') return [{ id: keyOf(body.TableName, body.Key), units: 1 }];
    if (op === 'BatchWriteItem') {
      return Object.entries(body.RequestItems ?? {}).flatMap(([table, reqs]: [string, any]) =>
        reqs.map((r: any) => ({ id: keyOf(table, r.PutRequest ? { pk: r.PutRequest.Item.pk, sk: r.PutRequest.Item.sk } : r.DeleteRequest.Key), units: 1 })),
      );
    }
    return [];
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      let raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.split('.')[1] ?? '';
      let writes: { id: string; units: number }[] = [];
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
      const over = Number.isFinite(rate) ? writes.map((w) => available(w.id, now).tokens < w.units) : writes.map(() => false);
      if (over.some(Boolean)) {
        stats.throttled++;
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
      for (const w of writes) available(w.id, now).tokens -= w.units;
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
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
