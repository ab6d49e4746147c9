import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteAuth } from '../../lib/routes';
import { logger } from './powertools';
import { forbidden, unauthorized } from './problem';

/** Who is calling, from the claims API Gateway's JWT authorizer (or the local gateway) put on the event. */
export interface Principal {
  userId: string;
  username: string;
  groups: string[];
  isAdmin: boolean;
  /** An admin's email, set by `withAdminEmail` on admin writes (for readable actors); never logged. */
  email?: string;
}

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * HTTP API flattens array claims to a string such as "[admin customers]"; the local gateway passes the
 * same form. Accept both that and a real array.
 */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  return raw
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter(Boolean);
}

export function principalFrom(event: APIGatewayProxyEventV2): Principal | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  // API Gateway's JWT authorizer accepts Cognito ID tokens too (their `aud` is the client id); this API is
  // called with access tokens only, so anything else is treated as no valid token at all.
  if (!claims || typeof claims.sub !== 'string' || claims.token_use !== 'access') return undefined;
  // API Gateway's authorizer requires `exp`; so does the local gateway. A token without it, or past it, is
  // no token here either (defence in depth: a never-expiring token is a permanent credential).
  const exp = Number(claims.exp);
  if (claims.exp === undefined || claims.exp === '' || !Number.isFinite(exp) || exp * 1000 <= Date.now()) return undefined;
  const groups = parseGroups(claims['cognito:groups']);
  return {
    userId: claims.sub,
    username: String(claims.username ?? claims['cognito:username'] ?? claims.sub),
    groups,
    isAdmin: groups.includes('admin'),
  };
}

/** Defence in depth: the gateway's authorizer already rejected bad tokens; the handler checks the group. */
export function authorize(event: APIGatewayProxyEventV2, auth: RouteAuth): Principal | undefined {
  if (auth === 'public') return principalFrom(event);
  const principal = principalFrom(event);
  if (!principal) throw unauthorized();
  if (auth === 'admin' && !principal.isAdmin) throw forbidden('This route is for administrators (Cognito group "admin").');
  return principal;
}

const ADMIN_EMAIL_TTL_MS = 10 * 60_000;
const adminEmails = new Map<string, { email: string; until: number }>();
let cognito: { endpoint: string | undefined; client: Promise<CognitoIdentityProviderClient> } | undefined;

/**
 * Loaded on the first admin write, not at init: every API handler imports this module, and the Cognito
 * client package alone added ~0.4x of the one-client baseline to each cold start (bench/init.bench.ts).
 */
const cognitoSdk = () => import('@aws-sdk/client-cognito-identity-provider');

function cognitoClient(): Promise<CognitoIdentityProviderClient> {
  const endpoint = process.env.COGNITO_ENDPOINT || undefined;
  if (!cognito || cognito.endpoint !== endpoint) {
    cognito = {
      endpoint,
      client: cognitoSdk().then(
        ({ CognitoIdentityProviderClient: Client }) =>
          new Client({
            ...(endpoint ? { endpoint } : {}),
            region: process.env.AWS_REGION ?? 'us-east-1',
            maxAttempts: 2,
            requestHandler: { requestTimeout: 2000, connectionTimeout: 1000 },
          }),
      ),
    };
  }
  return cognito.client;
}

/**
 * Readable actors (SPEC.md "Finding and reading orders"): an admin's writes are recorded as
 * `admin:<email>`, never the Cognito username (a UUID in both pools). Access tokens carry no email, so it
 * is read with Cognito's GetUser, authorized by the caller's own access token (no IAM grant; the token's
 * `aws.cognito.signin.user.admin` scope), once per admin per 10 minutes per container. Only admin writes
 * pay for it; reads keep the principal as it is. If Cognito cannot be asked (unit tests call handlers
 * without it) or does not answer, `email` stays unset and the actor falls back to `admin:<username>`.
 * The email is never logged.
 */
export async function withAdminEmail(event: APIGatewayProxyEventV2, principal: Principal | undefined): Promise<Principal | undefined> {
  if (!principal?.isAdmin) return principal;
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return principal;
  const cached = adminEmails.get(principal.userId);
  if (cached && cached.until > Date.now()) return { ...principal, email: cached.email };
  // On Lambda the regional endpoint; locally cognito-local (COGNITO_ENDPOINT). Anywhere else: not asked.
  if (!process.env.COGNITO_ENDPOINT && !process.env.AWS_LAMBDA_FUNCTION_NAME) return principal;
  const token = /^Bearer\s+(\S+)$/i.exec(String(event.headers?.authorization ?? event.headers?.Authorization ?? ''))?.[1];
  if (!token) return principal;
  try {
    const [client, { GetUserCommand }] = await Promise.all([cognitoClient(), cognitoSdk()]);
    const user = await client.send(new GetUserCommand({ AccessToken: token }));
    const email = user.UserAttributes?.find((a) => a.Name === 'email')?.Value;
    if (!email) return principal;
    adminEmails.set(principal.userId, { email, until: Date.now() + ADMIN_EMAIL_TTL_MS });
    return { ...principal, email };
  } catch (error) {
    // The error's name only: its message could quote the request.
    logger.warn('Admin email lookup failed; the actor is recorded by username', { errorName: (error as Error).name });
    return principal;
  }
}

/** The actor recorded for an admin's write: `admin:<email>` when known, else `admin:<username>`. */
export function adminActor(principal: Principal | undefined): string {
  return `admin:${principal?.email ?? principal?.username ?? 'unknown'}`;
}
