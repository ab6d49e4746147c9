/**
 * Cognito sign-in by plain fetch against `cognito.endpoint`: the same JSON-1.1 calls work on cognito-local
 * and on AWS (`https://cognito-idp.<region>.amazonaws.com/`), and fetch keeps the bundle ~200 KB smaller
 * than the SDK client. Tokens live in sessionStorage (see docs/decisions.md): they survive a reload but not
 * the tab, and are never shared with other tabs.
 */
import { useSyncExternalStore } from 'react';
import type { RuntimeConfig } from './types';

export interface Session {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** Epoch ms when the access token stops being valid. */
  expiresAt: number;
  username: string;
  groups: string[];
}

export type SignInResult =
  | { kind: 'signed-in'; session: Session }
  | { kind: 'not-admin'; username: string }
  | { kind: 'new-password-required'; username: string; challengeSession: string }
  | { kind: 'mfa-code-required'; username: string; challengeSession: string };

export class AuthError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

const STORAGE_KEY = 'order-service.admin.session';
/** Refresh this long before expiry so a request never leaves with a token about to lapse in flight. */
const REFRESH_MARGIN_MS = 60_000;

// ---------- store (React subscribes through useAuth) ----------

interface AuthState {
  session: Session | null;
  /** Why the user sees the sign-in screen (session expired, signed out…). */
  notice: string | null;
}

let state: AuthState = { session: readStoredSession(), notice: null };
const listeners = new Set<() => void>();

function setState(next: AuthState) {
  state = next;
  for (const listener of listeners) listener();
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

export function currentSession(): Session | null {
  return state.session;
}

function readStoredSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (typeof session.accessToken !== 'string' || !session.groups?.includes('admin')) return null;
    return session;
  } catch {
    return null;
  }
}

function storeSession(session: Session | null, notice: string | null = null) {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
  setState({ session, notice });
}

/** Called when the API answers 401 or the refresh token is refused: back to sign-in, same page after. */
export function expireSession(notice = 'Your session has expired. Sign in again to continue where you were.') {
  storeSession(null, notice);
}

// ---------- tokens ----------

export function decodeJwt(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new AuthError('The sign-in service returned a malformed token.');
  const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function groupsOf(claims: Record<string, unknown>): string[] {
  const raw = claims['cognito:groups'];
  return Array.isArray(raw) ? raw.map(String) : [];
}

interface AuthenticationResult {
  AccessToken: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

function sessionFrom(result: AuthenticationResult, username: string, previousRefreshToken?: string): Session {
  const claims = decodeJwt(result.AccessToken);
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + (result.ExpiresIn ?? 3600) * 1000;
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken ?? previousRefreshToken,
    expiresAt: exp,
    username: typeof claims.username === 'string' && !/^[0-9a-f-]{36}$/.test(claims.username) ? claims.username : username,
    groups: groupsOf(claims),
  };
}

// ---------- Cognito calls ----------

const friendlyErrors: Record<string, string> = {
  NotAuthorizedException: 'Incorrect email or password.',
  UserNotFoundException: 'Incorrect email or password.',
  UserNotConfirmedException: 'This account is not confirmed yet. Ask an administrator to confirm it.',
  PasswordResetRequiredException: 'A password reset is required for this account.',
  InvalidPasswordException: 'That password does not meet the password policy.',
  CodeMismatchException: 'That code is not right. Enter the current 6-digit code from your authenticator app.',
  ExpiredCodeException: 'That code has expired. Enter the current one from your authenticator app.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  LimitExceededException: 'Too many attempts. Wait a moment and try again.',
};

async function cognito<T>(config: RuntimeConfig, target: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config.cognito.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthError('The sign-in service cannot be reached. Check your connection and try again.', 'NetworkError');
  }
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    // AWS puts the code in __type ("…#NotAuthorizedException") and sometimes the x-amzn-ErrorType header.
    const rawType = String(payload.__type ?? response.headers.get('x-amzn-errortype') ?? '');
    const code = rawType.split('#').pop()?.split(':')[0] ?? '';
    const message = friendlyErrors[code] ?? (typeof payload.message === 'string' ? payload.message : `Sign-in failed (${response.status}).`);
    throw new AuthError(message, code);
  }
  return payload as T;
}

interface InitiateAuthResponse {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  Session?: string;
}

function finish(response: InitiateAuthResponse, username: string): SignInResult {
  if (response.ChallengeName === 'NEW_PASSWORD_REQUIRED' && response.Session) {
    return { kind: 'new-password-required', username, challengeSession: response.Session };
  }
  // Admins sign in with TOTP on AWS (the admin pool requires it): the code from their authenticator app.
  if (response.ChallengeName === 'SOFTWARE_TOKEN_MFA' && response.Session) {
    return { kind: 'mfa-code-required', username, challengeSession: response.Session };
  }
  if (response.ChallengeName === 'MFA_SETUP') {
    throw new AuthError(
      'This admin account has no authenticator app yet. Set one up once as docs/deploy.md ("Admin MFA") describes, then sign in here.',
      response.ChallengeName,
    );
  }
  if (!response.AuthenticationResult?.AccessToken) {
    throw new AuthError(
      response.ChallengeName
        ? `This account needs a sign-in step the dashboard does not support (${response.ChallengeName}).`
        : 'The sign-in service returned no tokens.',
      response.ChallengeName,
    );
  }
  const session = sessionFrom(response.AuthenticationResult, username);
  if (!session.groups.includes('admin')) return { kind: 'not-admin', username: session.username };
  storeSession(session);
  return { kind: 'signed-in', session };
}

export async function signIn(config: RuntimeConfig, username: string, password: string): Promise<SignInResult> {
  const response = await cognito<InitiateAuthResponse>(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.cognito.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  }).catch((error: unknown) => {
    // cognito-local answers a wrong password with InvalidPasswordException, AWS with NotAuthorizedException.
    if (error instanceof AuthError && error.code === 'InvalidPasswordException') throw new AuthError(friendlyErrors.NotAuthorizedException!, error.code);
    throw error;
  });
  return finish(response, username);
}

/** First sign-in of an admin created with a temporary password (AdminCreateUser on AWS). */
export async function completeNewPassword(config: RuntimeConfig, username: string, newPassword: string, challengeSession: string) {
  const response = await cognito<InitiateAuthResponse>(config, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: config.cognito.clientId,
    Session: challengeSession,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
  });
  return finish(response, username);
}

/** The second step of an admin's sign-in: the 6-digit TOTP code. */
export async function completeMfa(config: RuntimeConfig, username: string, code: string, challengeSession: string) {
  const response = await cognito<InitiateAuthResponse>(config, 'RespondToAuthChallenge', {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    ClientId: config.cognito.clientId,
    Session: challengeSession,
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return finish(response, username);
}

let refreshing: Promise<Session | null> | undefined;

/** One refresh at a time, shared by every request that needs it; null when the session is over. */
export function refreshSession(config: RuntimeConfig): Promise<Session | null> {
  const session = state.session;
  if (!session?.refreshToken) return Promise.resolve(null);
  refreshing ??= cognito<InitiateAuthResponse>(config, 'InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    ClientId: config.cognito.clientId,
    AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  })
    .then((response) => {
      if (!response.AuthenticationResult?.AccessToken) return null;
      const next = sessionFrom(response.AuthenticationResult, session.username, session.refreshToken);
      if (!next.groups.includes('admin')) return null;
      storeSession(next);
      return next;
    })
    .catch((error: unknown) => {
      // A network blip is not the end of the session; a refused refresh token is.
      if (error instanceof AuthError && error.code === 'NetworkError') throw error;
      return null;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/** A usable access token, refreshed first when it is about to expire; null means sign in again. */
export async function validAccessToken(config: RuntimeConfig): Promise<string | null> {
  const session = state.session;
  if (!session) return null;
  if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
  const next = await refreshSession(config);
  return next?.accessToken ?? null;
}

export async function signOut(config: RuntimeConfig | null) {
  const session = state.session;
  storeSession(null, 'You have signed out.');
  // Revoke the refresh token so a copied token stops working; best effort, the local session is gone anyway.
  if (config && session?.refreshToken) {
    await cognito(config, 'RevokeToken', { Token: session.refreshToken, ClientId: config.cognito.clientId }).catch(() => undefined);
  }
}
