import * as z from '../domain/zod';
import { EVENT_SCOPES, EVENT_TYPES } from './events';

/** Request schemas of the webhook admin routes: the handlers validate with them, OpenAPI is generated from them. */
const eventList = z.array(z.enum([...EVENT_TYPES, '*'])).check(z.minLength(1), z.maxLength(EVENT_TYPES.length + 1));
const url = z.string().check(z.minLength(8), z.maxLength(2048));

export const createWebhookBody = z.strictObject({
  url,
  events: eventList,
  active: z.optional(z.boolean()),
  /** `basic`: no personal data; `contact`: adds the customer's name, email, phone and shipping address. */
  scope: z.optional(z.enum(EVENT_SCOPES)),
});

export const updateWebhookBody = z
  .partial(z.strictObject({ url, events: eventList, active: z.boolean(), scope: z.enum(EVENT_SCOPES) }))
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one field'));

/** Both secrets sign deliveries for `graceSeconds` (default 24 h, at most 7 days; 0 ends the old one now). */
export const rotateSecretBody = z.strictObject({
  graceSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(7 * 86_400)), 86_400),
});

const isoDate = z.iso.datetime({ offset: true });
export const replayBody = z.union([
  z.strictObject({ eventIds: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(500)) }),
  z.strictObject({ from: isoDate, to: isoDate }),
]);
