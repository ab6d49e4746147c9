/**
 * The dashboard's security headers, in one place: CloudFront's ResponseHeadersPolicy (lib/constructs/dashboard.ts)
 * and the local gateway (local/gateway.ts) both build them from here, and the browser test checks that the page
 * it drives was served with exactly these. Only `connect-src` differs per environment (where the API and
 * Cognito live) and HSTS is sent only over HTTPS (browsers ignore it on http, and a localhost HSTS entry would
 * break every other local dev server).
 */

/** Two years, subdomains, preload-ready. */
export const HSTS = { maxAgeSeconds: 2 * 365 * 24 * 3600, includeSubdomains: true, preload: true } as const;
export const FRAME_OPTIONS = 'DENY' as const;
export const CONTENT_TYPE_OPTIONS = 'nosniff' as const;
export const REFERRER_POLICY = 'strict-origin-when-cross-origin' as const;

/**
 * Nothing inline, nothing third-party: the build emits one script and one stylesheet, loaded by src/href
 * (docs/decisions.md, 2026-11-26). `connectSrc` lists the API and Cognito origins besides 'self'.
 */
export function contentSecurityPolicy(connectSrc: readonly string[], options: { upgradeInsecureRequests: boolean }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSrc].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export const strictTransportSecurity = (): string =>
  `max-age=${HSTS.maxAgeSeconds}${HSTS.includeSubdomains ? '; includeSubDomains' : ''}${HSTS.preload ? '; preload' : ''}`;

/** The full header set (lower-case names), as an HTTP server sends it. */
export function securityHeaders(connectSrc: readonly string[], options: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectSrc, { upgradeInsecureRequests: options.https }),
    'x-frame-options': FRAME_OPTIONS,
    'x-content-type-options': CONTENT_TYPE_OPTIONS,
    'referrer-policy': REFERRER_POLICY,
    ...(options.https ? { 'strict-transport-security': strictTransportSecurity() } : {}),
  };
}
