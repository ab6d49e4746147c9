import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { sendEmail } from '../../../functions/adapters/mailer';
import type { Order } from '../../../functions/domain/order';
import { composeEmail, EMAIL_KINDS, type EmailExtra, type EmailKind } from '../../../functions/notifications/emails';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const base: Order = {
  id: '0b7e9c1a-5f0e-4a57-9a1c-2f1d7c0e9b11',
  number: 1042,
  userId: 'u-1',
  status: 'PAID',
  customer: { name: 'Łucja Żółć', email: 'lucja@example.com' },
  shippingAddress: { line1: 'ul. Długa 5', city: 'Gdańsk', postalCode: '80-827', country: 'PL' },
  items: [{ sku: 'LAMP-1', name: 'Desk <lamp>', quantity: 2, unitPrice: usd(2950), lineTotal: usd(5900) }],
  total: usd(5900),
  paymentMethodId: 'pm_card_visa',
  stock: 'RESERVED',
  payment: { provider: 'sandbox', status: 'authorized', amount: usd(5900), brand: 'visa', last4: '4242' },
  timeline: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  version: 2,
};
const shipped: Order = {
  ...base,
  status: 'SHIPPED',
  payment: { ...base.payment!, status: 'captured' },
  shipment: { trackingNumber: 'CP000000015US', trackingUrl: 'http://localhost:3000/tracking/CP000000015US', carrier: 'Self-ship', service: 'Self-ship Standard' },
};

const cases: [EmailKind, Order, EmailExtra, RegExp, string[]][] = [
  ['confirmation', base, {}, /^Order #1042 confirmed$/, ['$59.00', 'visa ending in 4242', 'authorized']],
  ['action-required', { ...base, status: 'RESERVED' }, { actionUrl: 'http://localhost:3000/sandbox/3ds/pi_1' }, /#1042.*confirm your payment/, ['http://localhost:3000/sandbox/3ds/pi_1', 'nothing is charged']],
  ['shipped', shipped, {}, /^Order #1042 has shipped$/, ['CP000000015US', 'http://localhost:3000/tracking/CP000000015US']],
  ['delivered', { ...shipped, status: 'DELIVERED' }, {}, /#1042 was delivered/, ['was delivered']],
  ['cancelled', { ...base, status: 'CANCELLED', payment: { ...base.payment!, status: 'voided' } }, {}, /#1042 was cancelled/, ['authorization of $59.00', 'was released: nothing was charged']],
  ['cancelled', { ...shipped, status: 'CANCELLED', payment: { ...shipped.payment!, status: 'refunded', amountRefunded: 5900 } }, {}, /#1042 was cancelled/, ['$59.00 was refunded to visa ending in 4242']],
  ['failed', { ...base, status: 'FAILED', failureReason: 'PAYMENT_DECLINED', payment: { ...base.payment!, status: 'declined', declineCode: 'insufficient_funds' } }, {}, /#1042 could not be completed/, ['the card has insufficient funds', 'Nothing was charged']],
  ['failed', { ...base, status: 'FAILED', failureReason: 'OUT_OF_STOCK', payment: undefined }, {}, /#1042/, ['sold out', 'Nothing was charged']],
  ['refunded', shipped, { amount: usd(1500) }, /#1042: \$15\.00 refunded/, ['$15.00 was refunded']],
  ['return-requested', { ...shipped, status: 'DELIVERED' }, { return: { id: 'r-1', items: [{ sku: 'LAMP-1', quantity: 1 }] } }, /#1042: return request received/, ['Desk <lamp>']],
  ['return-approved', { ...shipped, status: 'DELIVERED' }, { return: { id: 'r-1', items: [{ sku: 'LAMP-1', quantity: 1 }], trackingNumber: 'RR000000015US', labelUrl: 'http://x/label' } }, /#1042: return approved/, ['RR000000015US', 'http://x/label']],
  ['return-rejected', { ...shipped, status: 'DELIVERED' }, { return: { id: 'r-1', items: [], reason: 'Past the return window' } }, /#1042: return not accepted/, ['Past the return window']],
  ['return-received', { ...shipped, status: 'DELIVERED' }, { return: { id: 'r-1', items: [{ sku: 'LAMP-1', quantity: 1 }] } }, /#1042: return received/, ['arrived']],
  ['return-refunded', { ...shipped, status: 'DELIVERED' }, { return: { id: 'r-1', items: [], amount: usd(2950) } }, /#1042: return refunded \(\$29\.50\)/, ['$29.50 was refunded']],
];

describe('customer emails as RFC 5322 messages (.eml in the local outbox)', () => {
  let dir: string;
  const previous = process.env.LOCAL_DATA_DIR;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'emails-'));
    process.env.LOCAL_DATA_DIR = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.LOCAL_DATA_DIR;
    else process.env.LOCAL_DATA_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a template for every kind of SPEC.md', () => {
    expect(new Set(cases.map(([kind]) => kind))).toEqual(new Set(EMAIL_KINDS));
  });

  it.each(cases.map((c, i) => [`${c[0]} #${i}`, ...c] as const))('%s', async (_name, kind, order, extra, subject, phrases) => {
    const id = `${order.id}-${kind}-${_name.split('#')[1]}`;
    const file = await sendEmail(composeEmail(kind, order, extra), id);
    expect(path.dirname(file)).toBe(path.join(dir, 'outbox'));
    const mail: ParsedMail = await simpleParser(readFileSync(file));
    expect(mail.subject).toMatch(subject);
    expect(mail.headers.get('x-order-id')).toBe(order.id);
    expect(mail.headers.get('x-notification-kind')).toBe(kind);
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : undefined).toBe('lucja@example.com');
    expect(mail.messageId).toBe(`<${id}@order-service>`);
    // Both parts carry the same facts; HTML is escaped (a product named "Desk <lamp>" is text, not markup).
    for (const phrase of [...phrases, 'Hello Łucja Żółć']) {
      expect(mail.text).toContain(phrase);
      expect(mail.html || '').toContain(phrase.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(mail.html).not.toContain('<lamp>');
  });

  it('each send is exactly one .eml file (once-per-event is the caller\'s marker, not the mailer\'s)', async () => {
    const email = composeEmail('confirmation', base);
    const before = readdirSync(path.join(dir, 'outbox')).length;
    await sendEmail(email, 'one-id');
    expect(readdirSync(path.join(dir, 'outbox')).length).toBe(before + 1);
  });
});
