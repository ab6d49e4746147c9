import { PDFDocument } from 'pdf-lib';
import type { Order } from '../../../functions/domain/order';
import { LABEL_HEIGHT_PT, LABEL_WIDTH_PT } from '../../../functions/fulfillment/label';
import { renderPackingSlipPdf } from '../../../functions/fulfillment/packing-slip';
import { addressLines, countryName } from '../../../functions/domain/address';
import { inspectPdf } from './support/barcode';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const order: Order = {
  id: '6f1c2a7e-0000-4000-8000-000000000001',
  number: 1001,
  userId: 'u-1',
  status: 'PAID',
  customer: { name: 'Łucja Żółć', email: 'lucja@example.com' },
  shippingAddress: { name: 'Łucja Żółć', line1: 'ul. Długa 5', line2: 'm. 3', city: 'Gdańsk', postalCode: '80-827', country: 'PL' },
  items: [
    { sku: 'LAMP-1', name: 'Lampa biurkowa', quantity: 2, unitPrice: usd(1000), lineTotal: usd(2000) },
    { sku: 'MUG-JP', name: '湯呑み 山田太郎', quantity: 1, unitPrice: usd(500), lineTotal: usd(500) },
    { sku: 'BOOK-GR', name: 'Ελληνικά βιβλίο', quantity: 3, unitPrice: usd(700), lineTotal: usd(2100) },
    { sku: 'TEA-RU', name: 'Чай чёрный', quantity: 4, unitPrice: usd(300), lineTotal: usd(1200) },
    { sku: 'KIMCHI-KR', name: '김치 항아리', quantity: 1, unitPrice: usd(0), lineTotal: usd(0) },
  ],
  total: usd(5800),
  paymentMethodId: 'pm_card_visa',
  stock: 'RESERVED',
  timeline: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  version: 3,
};

describe('packing slip PDF', () => {
  it('is 4×6 in with the order number, every line and quantity, and the ship-to block in the country format', async () => {
    const pdf = await renderPackingSlipPdf(order, { sender: { name: 'Acme' } });
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPage(0).getSize()).toEqual({ width: LABEL_WIDTH_PT, height: LABEL_HEIGHT_PT });
    const text = inspectPdf(pdf).pages.map((p) => p.text).join('\n');
    for (const expected of ['Order #1001', 'Łucja Żółć', 'ul. Długa 5', 'm. 3', '80-827 Gdańsk', 'Poland', 'Lampa biurkowa (LAMP-1)', '湯呑み 山田太郎', '(MUG-JP)', 'Ελληνικά βιβλίο (BOOK-GR)', 'Чай чёрный (TEA-RU)', '김치 항아리', '(KIMCHI-KR)', '11 items in 5 lines']) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('?');
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    // quantity cells precede their line
    expect(lines[lines.indexOf('Lampa biurkowa (LAMP-1)') - 1]).toBe('2');
    expect(lines[lines.indexOf('Чай чёрный (TEA-RU)') - 1]).toBe('4');
  });

  it('continues on another page when the lines do not fit one', async () => {
    const many = { ...order, items: Array.from({ length: 40 }, (_, i) => ({ ...order.items[0], sku: `SKU-${i}`, name: `Item ${i}` })) };
    const pages = inspectPdf(await renderPackingSlipPdf(many)).pages;
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.map((p) => p.text).join('\n');
    for (let i = 0; i < 40; i++) expect(all).toContain(`Item ${i} (SKU-${i})`);
    expect(pages[1].text).toContain('Order #1001 (continued)');
  });
});

describe('addresses per country', () => {
  it.each([
    [{ line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }, ['12 St James Square', 'London', 'SW1Y 4JH', 'United Kingdom']],
    [{ line1: 'Hauptstraße 5', city: 'Berlin', postalCode: '10115', country: 'DE' }, ['Hauptstraße 5', '10115 Berlin', 'Germany']],
    [{ line1: '1600 Amphitheatre Pkwy', line2: 'Bldg 4', city: 'Mountain View', region: 'CA', postalCode: '94043', country: 'US' }, ['1600 Amphitheatre Pkwy', 'Bldg 4', 'Mountain View, CA 94043', 'United States']],
  ])('%j', (address, expected) => {
    expect(addressLines(address)).toEqual(expected);
  });

  it('names countries in full and leaves an unknown code as it is', () => {
    expect(countryName('jp')).toBe('Japan');
    expect(countryName('QQ')).toBe('QQ');
  });
});
