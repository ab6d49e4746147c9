import { placeOrderBody, createProductBody, adjustmentBody, idempotencyKey, updateProductBody } from '../../../functions/domain/schemas';

const valid = {
  customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
  shippingAddress: { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
  items: [{ sku: 'MUG-1', quantity: 2 }],
  payment: { paymentMethodId: 'pm_card_visa' },
};

const issuesOf = (value: unknown) => {
  const result = placeOrderBody.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('place order body', () => {
  it('accepts a valid order', () => expect(placeOrderBody.safeParse(valid).success).toBe(true));

  it.each([
    ['no lines', { ...valid, items: [] }, 'items'],
    ['51 lines', { ...valid, items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) }, 'items'],
    ['duplicate SKUs', { ...valid, items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] }, 'items.1.sku'],
    ['quantity 0', { ...valid, items: [{ sku: 'A', quantity: 0 }] }, 'items.0.quantity'],
    ['quantity 101', { ...valid, items: [{ sku: 'A', quantity: 101 }] }, 'items.0.quantity'],
    ['fractional quantity', { ...valid, items: [{ sku: 'A', quantity: 1.5 }] }, 'items.0.quantity'],
    ['lower-case country', { ...valid, shippingAddress: { ...valid.shippingAddress, country: 'gb' } }, 'shippingAddress.country'],
    ['unknown country', { ...valid, shippingAddress: { ...valid.shippingAddress, country: 'XX' } }, 'shippingAddress.country'],
    ['bad email', { ...valid, customer: { ...valid.customer, email: 'not-an-email' } }, 'customer.email'],
    ['unknown field', { ...valid, discount: 10 }, ''],
    ['unknown nested field', { ...valid, customer: { ...valid.customer, vip: true } }, 'customer'],
    ['client price', { ...valid, items: [{ sku: 'A', quantity: 1, price: 1 }] }, 'items.0'],
    ['card number instead of a payment method', { ...valid, payment: { paymentMethodId: '4242 4242 4242 4242' } }, 'payment.paymentMethodId'],
  ])('rejects %s', (_, body, path) => {
    expect(issuesOf(body)).toContain(path);
  });
});

describe('other bodies', () => {
  it('checks SKU syntax, integer money and threshold on products', () => {
    expect(createProductBody.safeParse({ sku: 'MUG-1', name: 'Mug', price: { amount: 1200, currency: 'USD' }, lowStockThreshold: 5 }).success).toBe(true);
    expect(createProductBody.safeParse({ sku: 'mug', name: 'Mug', price: { amount: 1200, currency: 'USD' }, lowStockThreshold: 5 }).success).toBe(false);
    expect(createProductBody.safeParse({ sku: 'MUG', name: 'Mug', price: { amount: 12.5, currency: 'USD' }, lowStockThreshold: 5 }).success).toBe(false);
    expect(updateProductBody.safeParse({}).success).toBe(false);
  });

  it('requires a non-zero integer delta and a reason for adjustments', () => {
    expect(adjustmentBody.safeParse({ delta: 5, reason: 'Delivery' }).success).toBe(true);
    expect(adjustmentBody.safeParse({ delta: 0, reason: 'x' }).success).toBe(false);
    expect(adjustmentBody.safeParse({ delta: 5 }).success).toBe(false);
  });

  it('takes 1–255 visible ASCII characters as an idempotency key', () => {
    expect(idempotencyKey.safeParse('order-123').success).toBe(true);
    expect(idempotencyKey.safeParse('').success).toBe(false);
    expect(idempotencyKey.safeParse('a b').success).toBe(false);
    expect(idempotencyKey.safeParse('x'.repeat(256)).success).toBe(false);
    expect(idempotencyKey.safeParse('é').success).toBe(false);
  });
});
