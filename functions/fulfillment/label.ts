// The Code 128 encoder alone: bwip-js's ES module exports one function per symbology, so the bundle keeps
// 124 KB of it; its `toBuffer` reaches all 100-odd symbologies (940 KB). The CommonJS build, which jest and
// local mode (tsx) load, has only `toBuffer`: there the same encoder is reached through it. The indirect
// `require` keeps esbuild from bundling the CommonJS build beside the ES one.
import { code128 } from 'bwip-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/**
 * The 4×6 inch shipping label, as a PDF (pdf-lib, barcode by bwip-js) and as ZPL II for thermal printers.
 * Both carry the same fields: sender, recipient, order id, service, weight when known, and the tracking
 * number as text and as Code 128.
 */

export interface LabelParty {
  name: string;
  /** Address lines in print order, e.g. street, city + postal code, country. */
  lines: string[];
}

export interface LabelContent {
  trackingNumber: string;
  orderId: string;
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

/**
 * The standard PDF fonts only cover WinAnsi: fold accents (é → e) and replace anything else (e.g. CJK)
 * with "?", so no customer name can make label generation throw.
 */
function printable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of text.replace(/[\r\n\t]+/g, ' ')) {
    const code = ch.codePointAt(0)!;
    if (supported.has(code)) {
      out += ch;
      continue;
    }
    const folded = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += [...folded].every((c) => supported.has(c.codePointAt(0)!)) && folded ? folded : '?';
  }
  return out;
}

/** Shrinks the font size until the text fits the width (long addresses must not run off the label). */
function fitSize(font: PDFFont, text: string, size: number, maxWidth: number, minSize = 6): number {
  let s = size;
  while (s > minSize && font.widthOfTextAtSize(text, s) > maxWidth) s -= 0.5;
  return s;
}

export async function renderLabelPdf(label: LabelContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Shipping label ${label.trackingNumber}`);
  pdf.setSubject(`Order ${label.orderId}`);
  pdf.setProducer('order-service');
  pdf.setCreationDate(new Date(label.createdAt));
  const page = pdf.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const margin = 12;
  const width = LABEL_WIDTH_PT - 2 * margin;
  let y = LABEL_HEIGHT_PT - margin;

  const line = (text: string, font: PDFFont, size: number, x = margin, maxWidth = width) => {
    const safe = printable(font, text);
    const fitted = fitSize(font, safe, size, maxWidth);
    y -= fitted + 2;
    page.drawText(safe, { x, y, size: fitted, font });
  };
  const rule = (thickness = 1) => {
    y -= 5;
    page.drawLine({ start: { x: margin, y }, end: { x: LABEL_WIDTH_PT - margin, y }, thickness, color: rgb(0, 0, 0) });
    y -= 3;
  };

  // Header: carrier and service.
  line(label.carrier.toUpperCase(), bold, 14);
  line(label.service, regular, 10);
  rule(2);

  // Sender (small, top left, as postal convention has it).
  line('FROM:', bold, 7);
  line(label.sender.name, regular, 8);
  for (const l of label.sender.lines) line(l, regular, 8);
  rule();

  // Recipient (large).
  line('SHIP TO:', bold, 8);
  line(label.recipient.name, bold, 14);
  for (const l of label.recipient.lines) line(l, regular, 12);
  rule(2);

  // Order facts.
  line(`Order: ${label.orderId}`, regular, 9);
  line(`Tracking: ${label.trackingNumber}`, regular, 9);
  const weight = formatWeight(label.weightGrams);
  line(`Service: ${label.service}${weight ? `   Weight: ${weight}` : ''}`, regular, 9);
  line(`Date: ${label.createdAt.slice(0, 10)}`, regular, 9);
  rule();

  await drawBarcode(pdf, page, label.trackingNumber, margin, width, y, bold);
  return pdf.save();
}

async function drawBarcode(pdf: PDFDocument, page: PDFPage, trackingNumber: string, margin: number, width: number, top: number, font: PDFFont) {
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
  const textWidth = font.widthOfTextAtSize(spaced, textSize);
  page.drawText(spaced, { x: margin + (width - textWidth) / 2, y: margin, size: textSize, font });
}

/** "RA 4731 2482 9 GB" is how posts print S10 numbers for people; the barcode holds the plain number. */
export function spacedTrackingNumber(trackingNumber: string): string {
  const m = /^([A-Z]{2})(\d{4})(\d{4})(\d)([A-Z]{2})$/.exec(trackingNumber);
  return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]}` : trackingNumber;
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
  text(`Order: ${label.orderId}`, 30);
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
