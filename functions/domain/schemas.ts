import * as z from './zod';
import { LOCATION_PATTERN, SKU_PATTERN } from './patterns';

/**
 * Request schemas of SPEC.md. Objects are strict: unknown fields are a 400 on write endpoints.
 * zod/mini: checks are listed in `.check(...)`; messages are classic zod's (domain/zod.ts).
 */
export { SKU_PATTERN };
export const sku = z.string().check(z.regex(SKU_PATTERN, 'must match ^[A-Z0-9][A-Z0-9_-]{0,63}$'));

export const currency = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'));
export const moneySchema = z.strictObject({
  amount: z.number().check(z.int('must be an integer number of minor units'), z.gte(0), z.lte(100_000_000)),
  currency,
});

const text = (max: number) => z.string().check(z.trim(), z.minLength(1, 'is required'), z.maxLength(max));
const optionalText = (max: number) => z.optional(z.string().check(z.trim(), z.maxLength(max)));
const integer = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

/**
 * ISO 3166-1 alpha-2, checked against the list the runtime knows (Intl.DisplayNames). Built on the first
 * check, not at init: constructing it loads ICU's region data, which cost every function that bundles this
 * module ~15 ms of cold start (bench/init.bench.ts), most of which never check a country.
 */
let regionNames: Intl.DisplayNames | undefined;
const isRegion = (code: string) => (regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })).of(code) !== undefined;
export const countryCode = z.string().check(
  z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
  // Intl throws on malformed codes, so only well-formed ones are looked up.
  z.refine((code) => /^[A-Z]{2}$/.test(code) && isRegion(code) && !['ZZ', 'EU', 'UN', 'EZ', 'QO'].includes(code), 'is not an ISO 3166-1 alpha-2 country'),
);

export const placeOrderBody = z.strictObject({
  customer: z.strictObject({
    name: text(200),
    email: z.email('must be a valid email address').check(z.maxLength(254)),
    phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number'))),
  }),
  shippingAddress: z.strictObject({
    name: z.optional(text(200)),
    line1: text(200),
    line2: optionalText(200),
    city: text(100),
    region: optionalText(100),
    postalCode: text(20),
    country: countryCode,
  }),
  items: z.array(z.strictObject({ sku, quantity: z.number().check(z.int('must be an integer'), z.gte(1), z.lte(100)) })).check(
    z.minLength(1, 'must have at least 1 line'),
    z.maxLength(50, 'must have at most 50 lines'),
    z.superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.sku)) ctx.addIssue({ code: 'custom', path: [index, 'sku'], message: `duplicate SKU ${item.sku}: use one line per SKU` });
        seen.add(item.sku);
      });
    }),
  ),
  payment: z.strictObject({
    paymentMethodId: z.string().check(z.regex(/^[A-Za-z0-9_]{3,255}$/, 'must be a payment method id such as pm_card_visa')),
  }),
});
export type PlaceOrderBody = z.infer<typeof placeOrderBody>;

/** 1–255 visible ASCII characters. */
export const idempotencyKey = z.string().check(z.regex(/^[\x21-\x7E]{1,255}$/, 'must be 1–255 visible ASCII characters'));

export const createProductBody = z.strictObject({
  sku,
  name: text(200),
  description: optionalText(2000),
  price: moneySchema,
  lowStockThreshold: integer(0, 1_000_000),
  active: z._default(z.boolean(), true),
  /** Opening stock, recorded as the first adjustment. */
  initialStock: z.optional(integer(0, 1_000_000)),
  /** Hot SKU (flash sales): stock spread over shard items so it can be reserved ≥ 10× faster. */
  hot: z.optional(z.boolean()),
});

export const updateProductBody = z
  .partial(
    z.strictObject({
      name: text(200),
      description: z.string().check(z.trim(), z.maxLength(2000)),
      price: moneySchema,
      lowStockThreshold: integer(0, 1_000_000),
      active: z.boolean(),
      /** A SKU can be made hot, not back: orders hold reservations on its shards. */
      hot: z.literal(true, 'can only be set to true: a hot SKU stays hot'),
    }),
  )
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one field'));

export const locationId = z.string().check(z.regex(LOCATION_PATTERN, 'must match ^[A-Z0-9][A-Z0-9_-]{0,31}$'));

export const adjustmentBody = z.strictObject({
  delta: integer(-1_000_000, 1_000_000).check(z.refine((d) => d !== 0, 'must not be 0')),
  reason: text(500),
  /** The stock location adjusted (default MAIN, where stock created before locations lives). */
  location: z.optional(locationId),
});

export const createLocationBody = z.strictObject({
  id: locationId,
  name: text(200),
  address: optionalText(500),
  priority: integer(0, 1_000_000),
  active: z._default(z.boolean(), true),
});

export const updateLocationBody = z
  .partial(z.strictObject({ name: text(200), address: z.string().check(z.trim(), z.maxLength(500)), priority: integer(0, 1_000_000), active: z.boolean() }))
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one field'));

export const transferBody = z
  .strictObject({ sku, from: locationId, to: locationId, quantity: integer(1, 1_000_000), reason: text(500) })
  .check(z.refine((body) => body.from !== body.to, 'from and to must be different locations'));
