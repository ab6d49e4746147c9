import { PDFDocument, PDFName } from 'pdf-lib';
import { code128Png, LABEL_HEIGHT_PT, LABEL_WIDTH_PT, renderLabelPdf, renderLabelZpl, zplField, type LabelContent } from '../../../functions/fulfillment/label';
import { decodeBarcodePng, inspectPdf } from './support/barcode';
import { labelContentFor } from '../../../functions/fulfillment/self-ship-carrier';
import type { Order } from '../../../functions/domain/order';

const label: LabelContent = {
  trackingNumber: 'RA473124829GB',
  orderId: '01JD5Z8Q3M7W2XK9B4T6N1R0CE',
  carrier: 'Self-ship',
  service: 'Self-ship Standard',
  sender: { name: 'Acme Fulfillment', lines: ['100 Warehouse Way', 'Springfield, IL 62701', 'US'] },
  recipient: { name: 'Ada Lovelace', lines: ['12 St James Square', 'London SW1Y 4JH', 'GB'] },
  weightGrams: 1250,
  createdAt: '2026-03-04T05:06:07.000Z',
};

describe('PDF label', () => {
  let pdf: Uint8Array;
  beforeAll(async () => {
    pdf = await renderLabelPdf(label);
  });

  it('is one 4×6 inch page (288×432 pt) that pdf-lib and pdf.js both parse', async () => {
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: LABEL_WIDTH_PT, height: LABEL_HEIGHT_PT });
    const parsed = inspectPdf(pdf);
    expect(parsed.pages).toHaveLength(1);
    expect(parsed.pages[0]).toMatchObject({ width: 288, height: 432 });
  });

  it('carries sender, recipient, order id, service, weight and the tracking number as text', () => {
    const text = inspectPdf(pdf).pages[0].text;
    for (const expected of [
      'RA473124829GB',
      'RA 4731 2482 9 GB',
      label.orderId,
      'Ada Lovelace',
      '12 St James Square',
      'London SW1Y 4JH',
      'Acme Fulfillment',
      '100 Warehouse Way',
      'Self-ship Standard',
      '1.25 kg',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('prints a Code 128 barcode that scans as exactly the tracking number', () => {
    // Render the page as a printer would and scan the whole label, so this checks the embedded image.
    const page = inspectPdf(pdf, { render: true }).pages[0];
    expect(decodeBarcodePng(Buffer.from(page.png!, 'base64'))).toEqual({ text: 'RA473124829GB', format: 'CODE_128' });
  });

  it('prints Latin, Greek, Cyrillic and CJK (kanji, kana, Hangul) names as they are, with embedded subset fonts', async () => {
    const other = await renderLabelPdf({
      ...label,
      orderNumber: 1042,
      recipient: {
        name: 'Łucja Żółć',
        lines: ['ul. Długa 5', '80-827 Gdańsk', 'Γιώργος Παπαδόπουλος', 'Пётр Чайковский', '山田太郎 様', 'やまだ タロウ', '김민준', '서울특별시 강남구', 'Poland'],
      },
    });
    const text = inspectPdf(other).pages[0].text;
    for (const expected of ['Łucja Żółć', 'ul. Długa 5', '80-827 Gdańsk', 'Γιώργος Παπαδόπουλος', 'Пётр Чайковский', '山田太郎', 'やまだ タロウ', '김민준', '서울특별시 강남구', 'Poland', '#1042', 'RA473124829GB']) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('?');
    // Subset on embed: the 5 MB CJK font and 0.6 MB Latin fonts shrink to the glyphs used.
    expect(other.byteLength).toBeLessThan(150_000);
    const doc = await PDFDocument.load(other);
    const fontNames = doc.context.enumerateIndirectObjects().map(([, o]) => String((o as { get?: (k: unknown) => unknown }).get?.(PDFName.of('BaseFont')) ?? '')).filter(Boolean);
    expect(fontNames.some((n) => /NotoSans-Regular/.test(n))).toBe(true);
    expect(fontNames.some((n) => /NotoSansJP/.test(n))).toBe(true);
    expect(fontNames.some((n) => /NotoSansKR/.test(n))).toBe(true);
    expect(fontNames.some((n) => /Helvetica/.test(n))).toBe(false);
  });

  it('a Korean-only address embeds the Korean font and not the Japanese one', async () => {
    const korean = await renderLabelPdf({ ...label, recipient: { name: '박서연', lines: ['부산광역시 해운대구 우동 1408', 'South Korea'] } });
    const text = inspectPdf(korean).pages[0].text;
    for (const expected of ['박서연', '부산광역시 해운대구 우동', '1408']) expect(text).toContain(expected);
    expect(text).not.toContain('?');
    const doc = await PDFDocument.load(korean);
    const fontNames = doc.context.enumerateIndirectObjects().map(([, o]) => String((o as { get?: (k: unknown) => unknown }).get?.(PDFName.of('BaseFont')) ?? '')).filter(Boolean);
    expect(fontNames.some((n) => /NotoSansKR/.test(n))).toBe(true);
    expect(fontNames.some((n) => /NotoSansJP/.test(n))).toBe(false);
  });

  it('embeds the CJK font only when a text needs it', async () => {
    const doc = await PDFDocument.load(pdf);
    const fontNames = doc.context.enumerateIndirectObjects().map(([, o]) => String((o as { get?: (k: unknown) => unknown }).get?.(PDFName.of('BaseFont')) ?? '')).filter(Boolean);
    expect(fontNames.some((n) => /NotoSansJP|NotoSansKR/.test(n))).toBe(false);
  });

  it('replaces a character no embedded font has with "?" instead of failing', async () => {
    const text = inspectPdf(await renderLabelPdf({ ...label, recipient: { name: 'Ada \u{1F600} Lovelace', lines: ['x'] } })).pages[0].text;
    expect(text).toContain('Ada ? Lovelace');
  });

  it('omits the weight when it is unknown', async () => {
    const text = inspectPdf(await renderLabelPdf({ ...label, weightGrams: undefined })).pages[0].text;
    expect(text).not.toContain('Weight');
  });
});

describe('label of a real order', () => {
  it('prints the ship-to in the country’s own format (Korea: city, then street) with the country in full, and the order number', async () => {
    const order = {
      id: '6f1c2a7e-0000-4000-8000-000000000002',
      number: 1077,
      customer: { name: '김민준', email: 'minjun@example.kr' },
      shippingAddress: { name: '김민준', line1: '테헤란로 152', city: '서울특별시 강남구', postalCode: '06236', country: 'KR' },
    } as unknown as Order;
    const content = labelContentFor(order, { order, fromAddress: { name: 'Acme', lines: ['1 Road'] } }, 'RA473124829GB', '2026-12-02T00:00:00.000Z');
    const text = inspectPdf(await renderLabelPdf(content)).pages[0].text;
    for (const expected of ['김민준', '서울특별시 강남구 테헤란로', '152', '06236', 'South Korea', '#1077']) expect(text).toContain(expected);
    expect(text).not.toMatch(/(^|\n)KR(\n|$)/); // not the bare code
    expect(text).not.toContain('?');
  });
});

describe('Code 128 image', () => {
  it.each(['RA473124829GB', 'EE123456785US', 'CP000000015US'])('bwip-js encodes %s exactly', async (tn) => {
    expect(decodeBarcodePng(await code128Png(tn))).toEqual({ text: tn, format: 'CODE_128' });
  });
});

describe('ZPL label', () => {
  const zpl = renderLabelZpl(label);

  it('is one ZPL II format with a Code 128 field holding exactly the tracking number', () => {
    expect(zpl.startsWith('^XA')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    const barcodes = [...zpl.matchAll(/\^BC[^^]*\^FD([^^]*)\^FS/g)];
    expect(barcodes).toHaveLength(1);
    expect(barcodes[0][1]).toBe('RA473124829GB');
  });

  it('has the same fields as the PDF', () => {
    for (const expected of ['Ada Lovelace', '12 St James Square', 'London SW1Y 4JH', 'Acme Fulfillment', label.orderId, 'Self-ship Standard', '1.25 kg', 'RA473124829GB']) {
      expect(zpl).toContain(zplField(expected));
    }
  });

  it('escapes customer text so it cannot inject ZPL commands', () => {
    const hostile = renderLabelZpl({ ...label, recipient: { name: 'Eve^XZ^XA^FO0,0~JA', lines: ['Zoë_1'] } });
    expect(hostile.match(/\^XA/g)).toHaveLength(1);
    expect(hostile.match(/\^XZ/g)).toHaveLength(1);
    expect(hostile).not.toContain('~JA');
    expect(hostile).toContain('Eve_5EXZ_5EXA_5EFO0,0_7EJA');
    expect(hostile).toContain('Zo_C3_AB_5F1');
  });
});
