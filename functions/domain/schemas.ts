import { z } from 'zod';

/**
 * Request schemas of SPEC.md. Objects are strict: unknown fields are a 400 on write endpoints.
 */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
export const sku = z.string().regex(SKU_PATTERN, 'must match ^[A-Z0-9][A-Z0-9_-]{0,63}$');

export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
export const moneySchema = z.strictObject({
  amount: z.number().int('must be an integer number of minor units').min(0).max(100_000_000),
  currency,
});

const text = (max: number) => z.string().trim().min(1, 'is required').max(max);

/** ISO 3166-1 alpha-2, checked against the list the runtime knows (Intl.DisplayNames). */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')
  // Intl throws on malformed codes, so only well-formed ones are looked up.
  .refine((code) => /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== undefined && !['ZZ', 'EU', 'UN', 'EZ', 'QO'].includes(code), 'is not an ISO 3166-1 alpha-2 country');

export const placeOrderBody = z.strictObject({
  customer: z.strictObject({
    name: text(200),
    email: z.email('must be a valid email address').max(254),
    phone: z.string().regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number').optional(),
  }),
  shippingAddress: z.strictObject({
    name: text(200).optional(),
    line1: text(200),
    line2: z.string().trim().max(200).optional(),
    city: text(100),
    region: z.string().trim().max(100).optional(),
    postalCode: text(20),
    country: countryCode,
  }),
  items: z
    .array(z.strictObject({ sku, quantity: z.number().int('must be an integer').min(1).max(100) }))
    .min(1, 'must have at least 1 line')
    .max(50, 'must have at most 50 lines')
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.sku)) ctx.addIssue({ code: 'custom', path: [index, 'sku'], message: `duplicate SKU ${item.sku}: use one line per SKU` });
        seen.add(item.sku);
      });
    }),
  payment: z.strictObject({
    paymentMethodId: z.string().regex(/^[A-Za-z0-9_]{3,255}$/, 'must be a payment method id such as pm_card_visa'),
  }),
});
export type PlaceOrderBody = z.infer<typeof placeOrderBody>;

/** 1–255 visible ASCII characters. */
export const idempotencyKey = z.string().regex(/^[\x21-\x7E]{1,255}$/, 'must be 1–255 visible ASCII characters');

export const createProductBody = z.strictObject({
  sku,
  name: text(200),
  description: z.string().trim().max(2000).optional(),
  price: moneySchema,
  lowStockThreshold: z.number().int().min(0).max(1_000_000),
  active: z.boolean().default(true),
  /** Opening stock, recorded as the first adjustment. */
  initialStock: z.number().int().min(0).max(1_000_000).optional(),
});

export const updateProductBody = z
  .strictObject({
    name: text(200),
    description: z.string().trim().max(2000),
    price: moneySchema,
    lowStockThreshold: z.number().int().min(0).max(1_000_000),
    active: z.boolean(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');

export const adjustmentBody = z.strictObject({
  delta: z.number().int().min(-1_000_000).max(1_000_000).refine((d) => d !== 0, 'must not be 0'),
  reason: text(500),
});
