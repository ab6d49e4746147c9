import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteAuth } from '../../lib/routes';
import { forbidden, unauthorized } from './problem';

/** Who is calling, from the claims API Gateway's JWT authorizer (or the local gateway) put on the event. */
export interface Principal {
  userId: string;
  username: string;
  groups: string[];
  isAdmin: boolean;
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
