import type Stripe from 'stripe';

/** A Stripe-shaped event of the sandbox (its 3-D Secure answers and delayed outcomes), as the webhook would get it. */
export function sandboxEvent(id: string, type: string, object: unknown): Stripe.Event {
  return { id, object: 'event', type, created: Math.floor(Date.now() / 1000), livemode: false, data: { object } } as unknown as Stripe.Event;
}
