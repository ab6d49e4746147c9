import { JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

export type AccessTokenClaims = JwtPayload;

/**
 * Verifies Cognito access tokens the way API Gateway's JWT authorizer does (signature, issuer, expiry,
 * client id), with cognito-local's issuer. CognitoJwtVerifier only accepts the AWS issuer URL and
 * aws-jwt-verify refuses to fetch http:// JWKS, so the JWKS is fetched here once and cached.
 */
export interface AccessTokenVerifier {
  /** Throws on any invalid token; returns the claims of a valid one. */
  verify(token: string): AccessTokenClaims;
}

export async function createAccessTokenVerifier(cognito: { endpoint: string; userPoolId: string; clientId: string; issuer: string }): Promise<AccessTokenVerifier> {
  const jwksUri = `${cognito.endpoint}/${cognito.userPoolId}/.well-known/jwks.json`;
  const response = await fetchWithRetry(jwksUri);
  if (!response.ok) throw new Error(`Could not fetch the JWKS from ${jwksUri}: HTTP ${response.status}`);
  const jwks = (await response.json()) as Jwks;
  return accessTokenVerifierFromJwks(jwks, { jwksUri, clientId: cognito.clientId, issuer: cognito.issuer });
}

/** The verification rules, given the pool's keys (tests hand in their own JWKS). */
export function accessTokenVerifierFromJwks(jwks: Jwks, options: { jwksUri: string; clientId: string; issuer: string }): AccessTokenVerifier {
  const verifier = JwtVerifier.create({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    // Access tokens carry no `aud`; like API Gateway's authorizer, match the app client through client_id.
    audience: null,
    customJwtCheck: ({ payload }) => {
      // aws-jwt-verify checks `exp` only when present; API Gateway's JWT authorizer requires it.
      if (typeof payload.exp !== 'number') throw new Error('Token has no expiry');
      if (payload.token_use !== 'access') throw new Error('Not an access token');
      if (payload.client_id !== options.clientId) throw new Error('Token issued to another app client');
    },
  });
  verifier.cacheJwks(jwks);
  // verifySync never fetches: a token signed with an unknown key simply fails.
  return { verify: (token) => verifier.verifySync(token) };
}

/** cognito-local can drop the first connections while it finishes starting on a busy machine. */
async function fetchWithRetry(url: string, attempts = 6): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
