// The Code 128 encoder alone: bwip-js's ES module exports one function per symbology, so the bundle keeps
// 124 KB of it; its `toBuffer` reaches all 100-odd symbologies (940 KB). The CommonJS build, which jest and
// local mode (tsx) load, has only `toBuffer`: there the same encoder is reached through it. The indirect
// `require` keeps esbuild from bundling the CommonJS build beside the ES one.
import { code128 } from 'bwip-js';
import { PDFDocument, rgb, type PDFPage } from 'pdf-lib';
import { spacedTrackingNumber } from '../domain/tracking';
import { unicodeText, type UnicodeText } from './fonts';

export { spacedTrackingNumber };

/**
 * The 4×6 inch shipping label, as a PDF (pdf-lib, barcode by bwip-js) and as ZPL II for thermal printers.
 * Both carry the same fields: sender, recipient, order id, service, weight when known, and the tracking
 * number as text and as Code 128. The PDF prints any Unicode name (Latin, Greek, Cyrillic, CJK) with
 * embedded, subset Noto fonts (./fonts.ts).
 */

export interface LabelParty {
  name: string;
  /** Address lines in print order, e.g. street, city + postal code, country. */
  lines: string[];
}

export interface LabelContent {
  trackingNumber: string;
  orderId: string;
  /** The customer-facing order number, printed as #1001 (older orders have none). */
  orderNumber?: number;
  carrier: string;
  /** Human service name, e.g. "Self-ship Standard". */
  service: string;
  sender: LabelParty;
  recipient: LabelParty;
  weightGrams?: number;
  /** ISO date the label was made (printed small). */
  createdAt: string;
}

/** 4×6 inches at 72 pt per inch. */
export const LABEL_WIDTH_PT = 288;
export const LABEL_HEIGHT_PT = 432;
/** ZPL at 203 dpi (8 dots/mm), the common thermal printer resolution: 4×6 in = 812×1218 dots. */
const ZPL_WIDTH_DOTS = 812;
const ZPL_HEIGHT_DOTS = 1218;

export function formatWeight(grams: number | undefined): string | undefined {
  if (grams === undefined || !Number.isFinite(grams) || grams <= 0) return undefined;
  return grams >= 1000 ? `${(grams / 1000).toFixed(2)} kg` : `${Math.round(grams)} g`;
}

/**
 * Code 128 as a PNG. Scale 2 px per module and no quiet-zone text: the human-readable number is drawn
 * separately in a larger font.
 */
type Encode = (opts: Parameters<typeof code128>[0]) => Promise<Buffer>;
const cjsRequire: NodeJS.Require = require;
const encodeCode128: Encode =
  typeof code128 === 'function' ? code128 : (opts) => (cjsRequire('bwip-js') as { toBuffer: Encode }).toBuffer(opts);

export async function code128Png(text: string): Promise<Buffer> {
  return encodeCode128({
    bcid: 'code128',
    text,
    scale: 2,
    height: 18,
    includetext: false,
    paddingwidth: 10,
    paddingheight: 2,
    backgroundcolor: 'FFFFFF',
  });
}

/** "#1001 · 6f1c…" when the order has a number, else the id alone. */
export function orderReference(label: Pick<LabelContent, 'orderId' | 'orderNumber'>): string {
  return label.orderNumber !== undefined ? `#${label.orderNumber} (${label.orderId})` : label.orderId;
}

export async function renderLabelPdf(label: LabelContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Shipping label ${label.trackingNumber}`);
  pdf.setSubject(`Order ${orderReference(label)}`);
  pdf.setProducer('order-service');
  pdf.setCreationDate(new Date(label.createdAt));
  const page = pdf.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
  const weight = formatWeight(label.weightGrams);
  const texts = [
    label.carrier.toUpperCase(), label.service, label.sender.name, ...label.sender.lines,
    label.recipient.name, ...label.recipient.lines, orderReference(label),
  ];
  const fonts = await unicodeText(pdf, texts);
  const margin = 12;
  const width = LABEL_WIDTH_PT - 2 * margin;
  let y = LABEL_HEIGHT_PT - margin;

  const line = (text: string, bold: boolean, size: number, x = margin, maxWidth = width) => {
    const fitted = fonts.fit(text, size, maxWidth, bold);
    y -= fitted + 2;
    fonts.draw(page, text, { x, y, size: fitted, bold });
  };
  const rule = (thickness = 1) => {
    y -= 5;
    page.drawLine({ start: { x: margin, y }, end: { x: LABEL_WIDTH_PT - margin, y }, thickness, color: rgb(0, 0, 0) });
    y -= 3;
  };

  // Header: carrier and service.
  line(label.carrier.toUpperCase(), true, 14);
  line(label.service, false, 10);
  rule(2);

  // Sender (small, top left, as postal convention has it).
  line('FROM:', true, 7);
  line(label.sender.name, false, 8);
  for (const l of label.sender.lines) line(l, false, 8);
  rule();

  // Recipient (large).
  line('SHIP TO:', true, 8);
  line(label.recipient.name, true, 14);
  for (const l of label.recipient.lines) line(l, false, 12);
  rule(2);

  // Order facts.
  line(`Order: ${orderReference(label)}`, false, 9);
  line(`Tracking: ${label.trackingNumber}`, false, 9);
  line(`Service: ${label.service}${weight ? `   Weight: ${weight}` : ''}`, false, 9);
  line(`Date: ${label.createdAt.slice(0, 10)}`, false, 9);
  rule();

  await drawBarcode(pdf, page, label.trackingNumber, margin, width, y, fonts);
  return pdf.save();
}

async function drawBarcode(pdf: PDFDocument, page: PDFPage, trackingNumber: string, margin: number, width: number, top: number, fonts: UnicodeText) {
  const png = await pdf.embedPng(await code128Png(trackingNumber));
  // Keep the bars' aspect ratio and fit the available width; the bottom strip holds the number as text.
  const textSize = 16;
  const bottom = margin + textSize + 8;
  const maxHeight = Math.max(40, top - 8 - bottom);
  // 1D bars may be stretched vertically: width decides the module size, height only helps scanning.
  const w = Math.min(width, png.width * (maxHeight / png.height) * 4);
  const h = Math.min(maxHeight, 110);
  page.drawImage(png, { x: margin + (width - w) / 2, y: bottom + 4, width: w, height: h });
  const spaced = spacedTrackingNumber(trackingNumber);
  const textWidth = fonts.width(spaced, textSize, true);
  fonts.draw(page, spaced, { x: margin + (width - textWidth) / 2, y: margin, size: textSize, bold: true });
}

/**
 * ZPL field data: `^FH_` turns `_XX` into the byte 0xXX, and `^CI28` makes those bytes UTF-8, so any name
 * prints and no customer-supplied `^` or `~` can inject ZPL commands.
 */
export function zplField(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text.replace(/[\r\n\t]+/g, ' '), 'utf8')) {
    const printableAscii = byte >= 0x20 && byte < 0x7f && byte !== 0x5e /* ^ */ && byte !== 0x7e /* ~ */ && byte !== 0x5f; /* _ */
    out += printableAscii ? String.fromCharCode(byte) : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function renderLabelZpl(label: LabelContent): string {
  const x = 30;
  let y = 30;
  const cmds: string[] = ['^XA', '^CI28', `^PW${ZPL_WIDTH_DOTS}`, `^LL${ZPL_HEIGHT_DOTS}`, '^LH0,0'];
  const text = (value: string, height: number, bold = false) => {
    // ^A0 is the scalable font; ^FB wraps/clips to the label width.
    cmds.push(`^FO${x},${y}^A0N,${height},${bold ? Math.round(height * 1.05) : height}^FB${ZPL_WIDTH_DOTS - 2 * x},1,0,L^FH_^FD${zplField(value)}^FS`);
    y += height + 8;
  };
  const rule = (thickness = 3) => {
    y += 4;
    cmds.push(`^FO${x},${y}^GB${ZPL_WIDTH_DOTS - 2 * x},${thickness},${thickness}^FS`);
    y += thickness + 12;
  };

  text(label.carrier.toUpperCase(), 48, true);
  text(label.service, 32);
  rule(6);
  text('FROM:', 24, true);
  text(label.sender.name, 26);
  for (const l of label.sender.lines) text(l, 26);
  rule();
  text('SHIP TO:', 28, true);
  text(label.recipient.name, 48, true);
  for (const l of label.recipient.lines) text(l, 40);
  rule(6);
  text(`Order: ${orderReference(label)}`, 30);
  text(`Tracking: ${label.trackingNumber}`, 30);
  const weight = formatWeight(label.weightGrams);
  text(`Service: ${label.service}${weight ? `   Weight: ${weight}` : ''}`, 30);
  text(`Date: ${label.createdAt.slice(0, 10)}`, 30);
  rule();
  // Code 128 (^BC): module width 3 dots, 200 dots tall, no interpretation line (printed below, spaced).
  const barcodeY = Math.max(y + 10, ZPL_HEIGHT_DOTS - 330);
  cmds.push(`^BY3,3,200^FO${x},${barcodeY}^BCN,200,N,N,N^FD${label.trackingNumber}^FS`);
  cmds.push(`^FO${x},${barcodeY + 230}^A0N,56,56^FB${ZPL_WIDTH_DOTS - 2 * x},1,0,C^FD${spacedTrackingNumber(label.trackingNumber)}^FS`);
  cmds.push('^XZ');
  return cmds.join('\n') + '\n';
}
