import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';
import { PNG } from 'pngjs';

/** Decodes the 1D barcode in a PNG with ZXing, the way a scanner would; returns text and symbology. */
export function decodeBarcodePng(png: Buffer): { text: string; format: string } {
  const image = PNG.sync.read(png);
  const luminance = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < luminance.length; i++) {
    const [r, g, b, a] = image.data.subarray(i * 4, i * 4 + 4);
    // Composite over white: transparent pixels are paper, not ink.
    const alpha = a / 255;
    const gray = (r * 299 + g * 587 + b * 114) / 1000;
    luminance[i] = Math.round(gray * alpha + 255 * (1 - alpha));
  }
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  const result = reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, image.width, image.height))), hints);
  return { text: result.getText(), format: BarcodeFormat[result.getBarcodeFormat()] };
}

export interface InspectedPdf {
  pages: { width: number; height: number; text: string; png?: string }[];
}

/** Parses a PDF with pdfjs-dist in a child Node process (pdfjs is ESM-only) and optionally renders it. */
export function inspectPdf(pdf: Uint8Array, options: { render?: boolean } = {}): InspectedPdf {
  const out = execFileSync(process.execPath, [join(__dirname, 'pdf-inspect.mjs'), ...(options.render ? ['--render'] : [])], {
    input: Buffer.from(pdf),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as InspectedPdf;
}
