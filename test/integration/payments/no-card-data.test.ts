import Stripe from 'stripe';
import { useIsolatedTables } from '../../support/dynamo';
import { logger } from '../../../functions/commons/powertools';
import { StripeGateway } from '../../../functions/adapters/payments/stripe-gateway';
import { handler as webhook } from '../../../functions/api/stripe-webhook';
import { authorizeOrderPayment, captureOrderPayment, refundOrderPayment, usePaymentGateway, voidOrderPayment } from '../../../functions/payments/service';
import { paymentStore } from '../../../functions/adapters/payment-store';
import { FakeStripe } from '../../unit/payments/support/fake-stripe';
import { createOrder, invoke, scanTable } from './support/fixtures';

useIsolatedTables();

/**
 * SPEC.md: card numbers and CVC never reach this service; stored and shown are Stripe ids, brand, last 4 and
 * expiry month/year only. Here the provider (a fake Stripe) over-shares on purpose — a full card number, CVC,
 * fingerprint — in API responses and in a webhook, and the whole table and every log line are searched.
 */
const PAN = '4242424242424242';
const secret = 'whsec_card_data_test';
process.env.STRIPE_WEBHOOK_SECRET = secret;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Luhn-valid runs of 13–19 digits, also when written with spaces or dashes between groups of digits. */
export function panLike(text: string): string[] {
  const candidates = text.match(/\d(?:[ -]?\d){12,18}/g) ?? [];
  return candidates.map((c) => c.replace(/[ -]/g, '')).filter((digits) => digits.length >= 13 && digits.length <= 19 && luhnValid(digits));
}

const ALLOWED_EXP_KEYS = new Set(['expMonth', 'expYear', 'expiresAt', 'expiration']);

function forbiddenKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => forbiddenKeys(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const here = path ? `${path}.${key}` : key;
    const bad = /cvc|cvv|card_?number|^number$|fingerprint|exp/i.test(key) && !ALLOWED_EXP_KEYS.has(key);
    return [...(bad ? [here] : []), ...forbiddenKeys(v, here)];
  });
}

describe('no card data is stored or logged', () => {
  const fake = new FakeStripe();
  const output: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    await fake.start();
    fake.extraCardFields = { number: PAN, cvc: '314', fingerprint: 'Xt5EWLLDS7FJjR1c', exp_month: 8 };
    usePaymentGateway(new StripeGateway('sk_test_fake', { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 }));
    logger.setLogLevel('DEBUG');
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(capture as never));
    spies.push(jest.spyOn(process.stderr, 'write').mockImplementation(capture as never));
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' '))));
    }
  });
  afterAll(async () => {
    spies.forEach((spy) => spy.mockRestore());
    usePaymentGateway(undefined);
    await fake.stop();
  });

  it('the detector itself finds what it must (so a pass below means something)', () => {
    expect(panLike(`card ${PAN} end`)).toEqual([PAN]);
    expect(panLike('4000 0566 5566 5556')).toEqual(['4000056655665556']);
    expect(panLike('order 2026-11-26T06:32:09.376Z id 1234567890123')).toEqual([]);
    expect(forbiddenKeys({ card: { brand: 'visa', expMonth: 1, exp_year: 2030, cvc: '1' } })).toEqual(['card.exp_year', 'card.cvc']);
  });

  it('through authorize, capture, refunds, a webhook with full card details, a decline and a void', async () => {
    const order = await createOrder();
    expect((await authorizeOrderPayment(order)).outcome).toBe('authorized');
    await captureOrderPayment(order.id);
    await refundOrderPayment(order.id, 700, 'admin:test');

    const { intentId } = (await paymentStore.get(order.id))!;
    const signedPayload = JSON.stringify({
      id: 'evt_card_data',
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: 'ch_1',
          object: 'charge',
          amount: 5000,
          amount_captured: 5000,
          amount_refunded: 1500,
          payment_intent: intentId,
          metadata: { orderId: order.id },
          billing_details: { name: order.customer.name, email: order.customer.email },
          payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 8, exp_year: 2031, number: PAN, cvc: '314', fingerprint: 'Xt5EWLLDS7FJjR1c' } },
        },
      },
    });
    const response = await invoke(webhook, {
      method: 'POST',
      path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: signedPayload, secret }) },
      body: signedPayload,
    });
    expect(response.body.result).toBe('applied');

    const declined = await createOrder({ paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect((await authorizeOrderPayment(declined)).outcome).toBe('declined');
    const voided = await createOrder({ paymentMethodId: 'pm_card_amex' });
    await authorizeOrderPayment(voided);
    await voidOrderPayment(voided.id, 'customer');

    // The table: every item, every attribute.
    const items = await scanTable();
    const payments = items.filter((item) => item.entity === 'PAYMENT');
    expect(payments).toHaveLength(3);
    for (const payment of payments) {
      expect(Object.keys((payment.card as object) ?? {}).sort()).toEqual(payment.card ? ['brand', 'expMonth', 'expYear', 'last4'] : []);
    }
    const stored = JSON.stringify(items);
    expect(panLike(stored)).toEqual([]);
    expect(stored).not.toContain(PAN);
    expect(stored).not.toMatch(/cvc|card_number|fingerprint|Xt5EWLLDS7FJjR1c/i);
    expect(items.flatMap((item) => forbiddenKeys(item))).toEqual([]);

    // The logs: something was logged (the capture works), and none of it is card or personal data.
    const logs = output.join('\n');
    expect(logs).toMatch(/Payment authorization recorded/);
    expect(panLike(logs)).toEqual([]);
    expect(logs).not.toMatch(/cvc|card_number|fingerprint|exp_month|exp_year/i);
    for (const personal of [order.customer.name, order.customer.email, order.customer.phone!, order.shippingAddress.line1]) expect(logs).not.toContain(personal);
  });
});
