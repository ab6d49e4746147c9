import type Stripe from 'stripe';
import { onFirstUse } from '../../domain/first-use';

/**
 * The Stripe SDK (240 KB minified, nothing tree-shakes) is loaded on first use, not at module init: most
 * invocations of the functions that may call Stripe never do (the sandbox gateway, a cancel of an order
 * that holds no payment, a webhook with a bad signature before verification reads the secret), and the
 * rest pay the load once per execution environment. In the Lambda bundles `stripe` is external and shipped
 * beside the bundle as one file (lib/constructs/service-function.ts `besidePackageCommands`); `require` is the
 * bundle banner's createRequire, so the load is synchronous and needs no code splitting. Under tsx and jest
 * it is the package itself.
 */
type StripeConstructor = typeof Stripe;

export const stripeSdk = onFirstUse<StripeConstructor>(() => require('stripe'));

/** `Stripe.errors`, resolved when first read (only error paths read it, after a call loaded the SDK). */
export const stripeErrors: typeof Stripe.errors = new Proxy({} as typeof Stripe.errors, {
  get: (_, name) => (stripeSdk().errors as unknown as Record<string | symbol, unknown>)[name],
});
