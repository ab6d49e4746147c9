import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardLookup, isPrivateAddress, targetPolicy, TargetRefused } from '../webhooks/targets';

export interface SendResult {
  /** The HTTP status, or undefined when no answer came (timeout, refused, reset, DNS, SSRF refusal). */
  status?: number;
  latencyMs: number;
  /** A short, non-personal reason when there was no 2xx: `timeout`, `ECONNREFUSED`, `target-refused`, `http-500`. */
  error?: string;
}

/**
 * POSTs one signed webhook body. One attempt: no redirects followed (a 3xx is a failure, and cannot lead the
 * request into the VPC), the answer's body is read up to 4 KB and discarded, and the whole attempt, from
 * DNS to the last byte, is bounded by `timeoutMs`. Never throws: the outcome goes into the delivery log.
 */
export async function postWebhook(target: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const done = (result: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...result, latencyMs: Math.round(performance.now() - started) });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return done({ error: 'invalid-url' });
  }
  const policy = targetPolicy();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // IP literals are connected to without a lookup: check them here.
  if (policy !== 'any' && (url.protocol !== 'https:' || (isIP(host) && isPrivateAddress(host)))) return done({ error: 'target-refused' });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(result));
    };
    const request = client.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'order-service-webhooks/1', 'content-length': String(Buffer.byteLength(body)), ...headers },
      lookup: guardLookup(dnsLookup as never, policy) as never,
      agent: false,
    }, (response) => {
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > 4096) response.destroy();
      });
      const status = response.statusCode ?? 0;
      const settle = () => finish(status >= 200 && status < 300 ? { status } : { status, error: `http-${status}` });
      response.on('end', settle);
      response.on('close', settle);
      response.on('error', settle);
    });
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ error: error instanceof TargetRefused || error.name === 'TargetRefused' ? 'target-refused' : (error.code ?? error.name ?? 'error') });
    });
    request.end(body);
  });
}
