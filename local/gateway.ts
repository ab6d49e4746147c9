import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes as allRoutes, type Route } from '../lib/routes';
import { ProblemError } from '../functions/commons/problem';
import { securityHeaders } from '../dashboard/security-headers';
import type { AccessTokenVerifier } from './jwt';
import { FUNCTION_TIMEOUT_SECONDS, lambdaContext, LOCAL_ACCOUNT } from './lambda-context';
import { localAlarms } from './ops-alarms';
import { LocalStackError } from './processes';

/**
 * A local stand-in for API Gateway (HTTP API): it matches the same route table CDK deploys, rejects
 * requests without a valid Cognito access token on non-public routes (what the JWT authorizer does),
 * builds the payload-format-2.0 event and calls the very handler module the Lambda runs.
 * It also serves the built dashboard and the dashboard's /config.json.
 */
export interface GatewayOptions {
  port?: number;
  host?: string;
  /** Repository root: route `entry` paths are relative to it. */
  rootDir: string;
  verifier: AccessTokenVerifier;
  routes?: readonly Route[];
  dashboardDir?: string;
  /** Served at /config.json for the dashboard. */
  publicConfig?: () => unknown;
  /** One line per request (npm start prints them; tests leave it out). */
  log?: (line: string) => void;
  /** Lambda handler timeout, like the deployed functions' timeout. */
  timeoutSeconds?: number;
}

export interface LocalGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024; // HTTP API's own request limit

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  paramNames: string[];
  literalSegments: number;
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const paramNames: string[] = [];
      const segments = route.path.split('/').filter(Boolean);
      const pattern = segments
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            paramNames.push(greedy[1]);
            return '/(.+)';
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            paramNames.push(param[1]);
            return '/([^/]+)';
          }
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        })
        .join('');
      return { route, regex: new RegExp(`^${pattern || '/'}$`), paramNames, literalSegments: segments.length - paramNames.length };
    })
    // Like API Gateway: the most specific route wins (more literal segments first).
    .sort((a, b) => b.literalSegments - a.literalSegments);
}

export function matchRoute(compiled: CompiledRoute[], method: string, rawPath: string) {
  const byPath = compiled.filter((c) => c.regex.test(rawPath));
  const hit = byPath.find((c) => c.route.method === method);
  if (!hit) return { allowed: [...new Set(byPath.map((c) => c.route.method))] };
  const values = hit.regex.exec(rawPath)!.slice(1);
  const pathParameters = Object.fromEntries(hit.paramNames.map((name, i) => [name, decodeURIComponent(values[i])]));
  return { route: hit.route, pathParameters, allowed: [] };
}

/** HTTP API passes these as text; everything else arrives base64-encoded with isBase64Encoded: true. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

/** API Gateway hands JWT claims to the Lambda as strings; arrays become "[a b]". */
export function flattenClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) claims[key] = `[${value.map(String).join(' ')}]`;
    else if (typeof value === 'object') claims[key] = JSON.stringify(value);
    else claims[key] = String(value);
  }
  return claims;
}

/**
 * The request line as logged: the path, and of the query string only its parameter names. Values can be an
 * email (`/admin/orders?email=`), a name (`?q=`) or a token, and request logs must carry no personal data.
 */
export function redactedRequestTarget(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = [...new URLSearchParams(url.slice(at + 1)).keys()];
  if (!names.length) return url.slice(0, at);
  return `${url.slice(0, at)}?${names.map((name) => `${encodeURIComponent(name)}=…`).join('&')}`;
}

/** The origins (scheme://host:port) the dashboard calls, from its config.json: the CSP's connect-src. */
export function dashboardConnectSources(publicConfig: unknown): string[] {
  const config = (publicConfig ?? {}) as { apiUrl?: unknown; cognito?: { endpoint?: unknown } };
  const origins = new Set<string>();
  for (const value of [config.apiUrl, config.cognito?.endpoint]) {
    if (typeof value !== 'string') continue;
    try {
      origins.add(new URL(value).origin);
    } catch {
      // not a URL: nothing to allow
    }
  }
  return [...origins];
}

/** "12/Mar/2020:19:03:58 +0000", the requestContext.time format. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export interface IncomingForEvent {
  method: string;
  url: string;
  rawHeaders: string[];
  httpVersion: string;
  sourceIp: string;
  body: Buffer;
}

/** Builds the API Gateway HTTP API payload v2 event for one request. */
export function buildEventV2(
  request: IncomingForEvent,
  route: Route,
  pathParameters: Record<string, string>,
  claims: Record<string, string> | undefined,
  now = new Date(),
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [rawPath, ...rest] = request.url.split('?');
  const rawQueryString = rest.join('?');

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    const value = request.rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const requestId = randomUUID();
  const traceId = `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  headers['x-amzn-trace-id'] ??= traceId;
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const host = headers.host ?? 'localhost';
  headers['x-forwarded-port'] ??= host.includes(':') ? host.split(':').pop()! : '80';

  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value;
  }

  const routeKey = `${route.method} ${route.path}`;
  const domainName = host.split(':')[0];
  const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
      // Public routes have no authorizer in API Gateway, so their events carry no claims.
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null as unknown as string[] } } } : {}),
    } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

interface HttpResult {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** The payload-2.0 response rules: a structured result is used as is, anything else becomes a 200 JSON body. */
export function resultToHttp(result: unknown): HttpResult {
  const structured = result as APIGatewayProxyStructuredResultV2 | undefined;
  if (structured && typeof structured === 'object' && typeof structured.statusCode === 'number') {
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(structured.headers ?? {})) headers[key.toLowerCase()] = String(value);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    const raw = structured.body ?? '';
    const body = structured.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    return { statusCode: structured.statusCode, headers, body };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(result) ?? ''),
  };
}

const problem = (status: number, slug: string, detail: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: Buffer.from(JSON.stringify(new ProblemError(status, slug, detail).toProblem())),
});

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export async function startGateway(options: GatewayOptions): Promise<LocalGateway> {
  const compiled = compileRoutes(options.routes ?? allRoutes);
  const dashboardDir = options.dashboardDir ?? path.join(options.rootDir, 'dashboard', 'dist');
  const handlers = new Map<string, Handler>();

  const loadHandler = (route: Route): Handler | undefined => {
    const cached = handlers.get(route.entry);
    if (cached) return cached;
    const file = path.join(options.rootDir, route.entry);
    if (!existsSync(file)) return undefined;
    // Lazy, like a cold start: only routes that are called get loaded. require() so jest's module
    // registry and tsx both handle the TypeScript.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { handler?: Handler };
    if (typeof mod.handler !== 'function') throw new Error(`${route.entry} does not export a handler`);
    handlers.set(route.entry, mod.handler);
    return mod.handler;
  };

  const serveStatic = (method: string, rawPath: string, accept: string): HttpResult | undefined => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (rawPath === '/config.json' && options.publicConfig) {
      return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: Buffer.from(JSON.stringify(options.publicConfig())) };
    }
    const index = path.join(dashboardDir, 'index.html');
    if (!existsSync(index)) {
      if (rawPath !== '/' && !accept.includes('text/html')) return undefined;
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: Buffer.from(
          '<!doctype html><meta charset="utf-8"><title>Order Service</title><h1>The dashboard wasn\'t built</h1>' +
            '<p>Run <code>npm run build:dashboard</code> and reload. The API is served here, e.g. <a href="/health">/health</a>.</p>',
        ),
      };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
    const file = path.resolve(dashboardDir, `.${decoded}`);
    const inside = file === dashboardDir || file.startsWith(dashboardDir + path.sep);
    if (inside && rawPath !== '/' && existsSync(file) && statSync(file).isFile()) {
      const ext = path.extname(file);
      return {
        statusCode: 200,
        headers: { 'content-type': contentTypes[ext] ?? 'application/octet-stream', 'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=300' },
        body: readFileSync(file),
      };
    }
    // SPA fallback: client-side routes get index.html; asset misses stay 404.
    if (rawPath === '/' || accept.includes('text/html')) {
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body: readFileSync(index) };
    }
    return undefined;
  };

  const authenticate = (authorization: string | undefined): Record<string, string> | undefined => {
    if (!authorization) return undefined;
    // API Gateway's JWT authorizer accepts the token with or without the Bearer prefix.
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    try {
      return flattenClaims(options.verifier.verify(token) as Record<string, unknown>);
    } catch {
      return undefined;
    }
  };

  const handle = async (req: http.IncomingMessage, body: Buffer): Promise<HttpResult> => {
    const url = req.url ?? '/';
    const rawPath = url.split('?')[0] || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(compiled, method, rawPath);
    } catch {
      return problem(400, 'bad-path', 'The request path is not valid URL encoding.');
    }
    if (!match.route) {
      if (match.allowed.length) {
        return problem(405, 'method-not-allowed', `${method} is not supported on ${rawPath}.`, { allow: match.allowed.join(', ') });
      }
      const page = serveStatic(method, rawPath, req.headers.accept ?? '');
      if (!page) return problem(404, 'not-found', `No route for ${method} ${rawPath}.`);
      // What CloudFront's ResponseHeadersPolicy adds to every dashboard response (dashboard/security-headers.ts).
      Object.assign(page.headers, securityHeaders(dashboardConnectSources(options.publicConfig?.()), { https: false }));
      return page;
    }
    const route = match.route;
    if (body.length > MAX_PAYLOAD_BYTES) return problem(413, 'body-too-large', 'The request body exceeds the API limit.');

    let claims: Record<string, string> | undefined;
    if (route.auth !== 'public') {
      claims = authenticate(req.headers.authorization);
      if (!claims) return problem(401, 'unauthorized', 'A valid bearer token is required.', { 'www-authenticate': 'Bearer' });
    }
    const handler = loadHandler(route);
    if (!handler) return problem(501, 'not-implemented', `${route.method} ${route.path} has no handler yet (${route.entry} is missing).`);

    const event = buildEventV2(
      {
        method,
        url,
        rawHeaders: req.rawHeaders,
        httpVersion: req.httpVersion,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        body,
      },
      route,
      match.pathParameters ?? {},
      claims,
    );
    const timeoutSeconds = options.timeoutSeconds ?? FUNCTION_TIMEOUT_SECONDS;
    const context = lambdaContext(route.name, timeoutSeconds);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        handler(event, context),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Handler timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
        }),
      ]);
      return resultToHttp(result);
    } catch (error) {
      // What API Gateway does when the Lambda fails: a bare 500, details only in the function's logs.
      console.error(`[gateway] ${route.name} failed:`, error);
      localAlarms()?.record('FunctionErrors', 1, { subject: route.name });
      return problem(500, 'internal-error', 'Something went wrong on our side. The request can be retried.');
    } finally {
      clearTimeout(timer);
    }
  };

  const isApiRequest = (req: http.IncomingMessage) => {
    try {
      return Boolean(matchRoute(compiled, (req.method ?? 'GET').toUpperCase(), (req.url ?? '/').split('?')[0] || '/').route);
    } catch {
      return false;
    }
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES + 1) chunks.push(chunk);
    });
    req.on('end', () => {
      const origin = req.headers.origin;
      const cors: Record<string, string> =
        origin && LOCAL_ORIGIN.test(origin)
          ? {
              // No Access-Control-Allow-Credentials: the API takes bearer tokens, never cookies (as on AWS).
              'access-control-allow-origin': origin,
              'access-control-expose-headers': 'location, content-disposition',
              vary: 'origin',
            }
          : {};
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, idempotency-key',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      handle(req, Buffer.concat(chunks))
        .catch((error: unknown) => {
          console.error('[gateway] unexpected error', error);
          return problem(500, 'internal-error', 'Something went wrong on our side.');
        })
        .then((result) => {
          // API responses only (what API Gateway counts), not the dashboard's static files.
          if (isApiRequest(req)) localAlarms()?.record('ApiResponses', 1, { status: result.statusCode });
          res.writeHead(result.statusCode, { ...cors, ...result.headers, 'content-length': String(result.body.length) });
          res.end(req.method === 'HEAD' ? undefined : result.body);
          options.log?.(`${req.method} ${redactedRequestTarget(req.url ?? '/')} → ${result.statusCode} (${Date.now() - started} ms)`);
        });
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStackError(`Port ${options.port} for the API gateway is already in use; stop whatever uses it or choose another port with PORT=<port>.`)
          : error,
      );
    });
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
