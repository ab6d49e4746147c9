import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { $ZodError, $ZodIssue, $ZodType, output } from 'zod/v4/core';
import type { RouteAuth } from '../../lib/routes';
import { authorize, withAdminEmail, type Principal } from './auth';
import { loadCursorKey } from './cursor-key';
import { logger, metrics, tagOrder, tracer } from './powertools';
import { badRequest, notFound, ProblemError, problemTitle, type FieldError } from './problem';
import { SKU_PATTERN } from '../domain/patterns';

export const MAX_BODY_BYTES = 64 * 1024;

export type ApiResponse = {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
};

export interface ApiRequest<B, Q> {
  event: APIGatewayProxyEventV2;
  principal: Principal | undefined;
  body: B;
  query: Q;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
}

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A 503 is always safe to retry, and says when (RFC 9110 Retry-After, in seconds). */
export const RETRY_AFTER_SECONDS = 1;

export const problemResponse = (error: ProblemError): ApiResponse => ({
  statusCode: error.status,
  headers: { 'content-type': 'application/problem+json', ...(error.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}) },
  body: JSON.stringify(error.toProblem()),
});

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'PaymentUnavailable',
]);

/**
 * Faults of a dependency that a retry can overcome: throttling, transaction conflicts, timeouts, dropped
 * connections, a provider outage. The client gets a 503 with Retry-After rather than a bare 500.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $retryable?: unknown; CancellationReasons?: { Code?: string }[] };
  if (!e || typeof e !== 'object') return false;
  if (TRANSIENT_NAMES.has(e.name ?? '') || e.$retryable) return true;
  if (e.name === 'TransactionCanceledException') {
    return (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');
  }
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? '');
}

/** Any zod schema (classic or mini): this module needs only its type and its safeParse, not the library. */
export type Schema = $ZodType & { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: $ZodError } };

export function zodErrors(error: { issues: readonly $ZodIssue[] }): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Parse with a zod schema or throw a 400 listing every invalid field. */
export function parseOr400<S extends Schema>(schema: S, value: unknown, what: string): output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`The ${what} is invalid.`, zodErrors(result.error));
  return result.data as output<S>;
}

/** 413 before any parsing: HTTP API accepts far larger bodies than this service wants. */
const bodySizeLimit = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    if (!event.body) return;
    const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
    if (bytes > MAX_BODY_BYTES) {
      throw new ProblemError(413, 'body-too-large', `The request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}.`);
    }
  },
});

/** Maps every error to problem+json; unknown errors are logged (without the event) and hidden from clients. */
export function toProblemResponse(error: unknown): ApiResponse {
  if (error instanceof ProblemError) return problemResponse(error);
  // Idempotency answers (key reused, request in progress) arrive as ProblemErrors from commons/idempotency.ts.
  // DynamoDB refuses an ExclusiveStartKey that does not belong to the query: a forged, stale or another
  // list's cursor. That is bad input, not a fault.
  if ((error as Error)?.name === 'ValidationException' && /start(ing)? key|ExclusiveStartKey/i.test((error as Error).message)) {
    return problemResponse(badRequest('The cursor is not valid for this list; use nextCursor from the previous page.', [{ path: 'cursor', message: 'invalid cursor' }]));
  }
  const middyError = error as { statusCode?: number; expose?: boolean; message?: string; cause?: { package?: string } };
  if (middyError?.statusCode && middyError.statusCode < 500) {
    // middy reports a missing or unparsable body as 415/422 depending on version; it is a bad request.
    if (middyError.cause?.package === '@middy/http-json-body-parser' && /malformed JSON/i.test(middyError.message ?? '')) {
      return problemResponse(new ProblemError(400, 'malformed-json', 'The request body is missing or is not valid JSON.'));
    }
    const status = middyError.statusCode;
    return problemResponse(new ProblemError(status, problemTitle(status).toLowerCase().replace(/\s+/g, '-'), middyError.message ?? problemTitle(status)));
  }
  if (isTransient(error)) {
    logger.warn('Transient fault answered with 503', { error: (error as Error).name });
    return problemResponse(new ProblemError(503, 'temporarily-unavailable', 'A dependency of this service is briefly unavailable. Retry the request (with the same Idempotency-Key where there is one).'));
  }
  logger.error('Unhandled error', { error: error as Error });
  return problemResponse(new ProblemError(500, 'internal-error', 'Something went wrong on our side. The request can be retried.'));
}

/**
 * Path parameters that cannot name anything (a SKU outside the SKU pattern, an id longer than any id) are a
 * 404 before any lookup: DynamoDB would refuse keys that long with a 500.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const pathParameterCheck = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    const { sku, id } = event.pathParameters ?? {};
    if (sku !== undefined && !SKU_PATTERN.test(sku)) throw notFound(`Product ${sku.slice(0, 80)} was not found.`);
    if (id !== undefined && !ID_PATTERN.test(id)) throw notFound(`Order ${id.slice(0, 80)} was not found.`);
  },
});

/** Write endpoints without a body schema take no body: unknown fields are rejected, as on every write. */
const noBody = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    if (event.requestContext.http.method === 'GET') return;
    const body = event.body?.trim();
    if (body && body !== '{}') throw badRequest('This endpoint takes no request body.', [{ path: '(root)', message: 'unexpected body' }]);
  },
});

const problemJsonErrors = (): MiddlewareObj<APIGatewayProxyEventV2, ApiResponse> => ({
  onError: (request) => {
    request.response = toProblemResponse(request.error);
  },
});

/**
 * Customer and admin routes answer with personal data (orders, addresses, emails) or about it: no browser,
 * proxy or CDN may keep any of their responses, errors included. Outermost, so it also covers problem
 * responses and replays from the idempotency layer.
 */
const noStore = (): MiddlewareObj<APIGatewayProxyEventV2, ApiResponse> => {
  const mark = (request: { response?: ApiResponse | null }) => {
    if (request.response && typeof request.response === 'object') {
      request.response.headers = { ...request.response.headers, 'cache-control': 'no-store' };
    }
  };
  return { after: mark, onError: mark };
};

/** A list route's query has a cursor: the signing key must be at hand (Secrets Manager on AWS) before it runs. */
const hasCursor = (schema: Schema | undefined): boolean => {
  const shape = (schema?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape;
  return Boolean(shape && Object.prototype.hasOwnProperty.call(shape, 'cursor'));
};

interface ApiOptions<BS extends Schema | undefined, QS extends Schema | undefined> {
  auth: RouteAuth;
  body?: BS;
  /**
   * The handler reads `event.body` itself: signed webhooks need the raw bytes, and some admin actions take an
   * optional body. Otherwise a write route without a body schema takes no body.
   */
  parsesOwnBody?: boolean;
  query?: QS;
  /** Extra middlewares that run after auth and validation. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewares?: MiddlewareObj<any, any>[];
}

type Infer<S> = S extends Schema ? output<S> : undefined;

/** Order routes (/orders/{id}, /admin/orders/{id}/...) tag logs and the trace with the order id. */
const orderContext = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    const id = event.pathParameters?.id;
    if (id && event.rawPath?.includes('/orders/')) tagOrder(id);
  },
});

/**
 * Every HTTP handler is built with this: X-Ray tracing (the handler subsegment; responses are not recorded
 * in the trace, they can carry personal data), EMF metrics flushed on every invocation with the cold-start
 * metric, header normalization, size limit, JSON parsing, auth by route level, zod validation of body and
 * query, Powertools logger context (order id as a key), problem+json errors.
 */
export function api<BS extends Schema | undefined = undefined, QS extends Schema | undefined = undefined>(
  options: ApiOptions<BS, QS>,
  fn: (request: ApiRequest<Infer<BS>, Infer<QS>>) => Promise<ApiResponse>,
) {
  const base = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  if (options.auth !== 'public') base.use(noStore());
  base
    .use(problemJsonErrors())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(bodySizeLimit())
    .use({
      before: ({ event }) => {
        authorize(event, options.auth);
      },
    });
  base.use(pathParameterCheck());
  base.use(orderContext());
  if (!options.body && !options.parsesOwnBody) base.use(noBody());
  if (options.body) {
    base.use(httpJsonBodyParser({ disableContentTypeError: false }));
    base.use({
      before: ({ event }) => {
        (event as { body: unknown }).body = parseOr400(options.body as Schema, event.body, 'request body');
      },
    });
  }
  if (hasCursor(options.query)) base.use({ before: () => loadCursorKey() });
  for (const middleware of options.middlewares ?? []) base.use(middleware as MiddlewareObj);

  const handler = base.handler(async (event) => {
    const query = options.query
      ? parseOr400(options.query, event.queryStringParameters ?? {}, 'query string')
      : undefined;
    return fn({
      event,
      principal: await withAdminEmail(event, authorize(event, options.auth)),
      body: event.body as Infer<BS>,
      query: query as Infer<QS>,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      headers: event.headers as Record<string, string | undefined>,
    });
  });
  // What the handler accepts, for the OpenAPI document (lib/openapi.ts): the schemas it validates with.
  return Object.assign(handler, { apiSpec: { auth: options.auth, body: options.body, query: options.query, parsesOwnBody: Boolean(options.parsesOwnBody) } as ApiSpec });
}

/** A handler's declared contract: read by the OpenAPI generator and its test, never at run time. */
export interface ApiSpec {
  auth: RouteAuth;
  body?: Schema;
  query?: Schema;
  parsesOwnBody: boolean;
}
