import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Fontkit from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import { onFirstUse } from '../domain/first-use';
import { FONT_FILES, FONTS_DIR_NAME, type FontName } from './font-files';

export { FONT_FILES, type FontName };

/**
 * Unicode text for the PDFs (labels, packing slips): Noto Sans (Latin, Greek, Cyrillic; regular and bold)
 * with Noto Sans JP (kana, kanji) and Noto Sans KR (Hangul) as the fallbacks for CJK, embedded through @pdf-lib/fontkit and subset on embed, so a
 * label carries only the glyphs it prints (a few KB, not the 5 MB CJK font).
 *
 * The TTF files are never bundled into JavaScript: they are read from disk on first use, and only by the
 * functions that render PDFs. On Lambda they sit in `fonts/` beside the bundle (copied there by the
 * NodejsFunction command hooks in lib/constructs/service-function.ts, from `FONT_FILES` in ./font-files.ts); locally and in
 * tests they are read straight from the npm packages. `FONTS_DIR` overrides both.
 */

/**
 * @pdf-lib/fontkit is 918 KB of JS (its Unicode tables and font decoders): more than the rest of a PDF
 * function together. It is loaded with the fonts, on the first render, not at init: the label step
 * retried after its label exists and an approval refused before any label is drawn never pay for it (need
 * 'pdf' ships it beside the bundle; domain/first-use.ts).
 */
const fontkit = onFirstUse<typeof Fontkit>(() => require('@pdf-lib/fontkit'));

function fontPath(name: FontName): string {
  const dirs = [process.env.FONTS_DIR, process.env.LAMBDA_TASK_ROOT && path.join(process.env.LAMBDA_TASK_ROOT, FONTS_DIR_NAME)].filter(
    (d): d is string => Boolean(d),
  );
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return require.resolve(FONT_FILES[name]);
}

const cache = new Map<FontName, Promise<Uint8Array>>();
export function loadFont(name: FontName): Promise<Uint8Array> {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = readFile(fontPath(name)).then((b) => new Uint8Array(b));
    bytes.catch(() => cache.delete(name));
    cache.set(name, bytes);
  }
  return bytes;
}

const FALLBACK_FONTS: FontName[] = ['NotoSansJP-Regular.ttf', 'NotoSansKR-Regular.ttf'];

const charsets = new Map<FontName, Promise<Set<number>>>();
/** The code points a font has, parsed once per process. */
function characterSet(name: FontName): Promise<Set<number>> {
  let set = charsets.get(name);
  if (!set) {
    set = loadFont(name).then((bytes) => new Set(fontkit().create(bytes).characterSet));
    set.catch(() => charsets.delete(name));
    charsets.set(name, set);
  }
  return set;
}

interface Run {
  text: string;
  font: PDFFont;
}

/** Text drawing with per-character font fallback: Noto Sans first, then Noto Sans JP, then Noto Sans KR, else "?". */
export interface UnicodeText {
  width(text: string, size: number, bold?: boolean): number;
  draw(page: PDFPage, text: string, options: { x: number; y: number; size: number; bold?: boolean }): void;
  /** Largest size ≤ `size` (down to `minSize`) at which `text` fits `maxWidth`. */
  fit(text: string, size: number, maxWidth: number, bold?: boolean, minSize?: number): number;
}

const clean = (text: string) => text.replace(/[\r\n\t]+/g, ' ');

/**
 * Embeds the fonts into `pdf` for the texts it will print: a CJK font is loaded and embedded only when
 * one of `texts` needs it.
 */
export async function unicodeText(pdf: PDFDocument, texts: string[]): Promise<UnicodeText> {
  pdf.registerFontkit(fontkit());
  const [regularBytes, boldBytes] = await Promise.all([loadFont('NotoSans-Regular.ttf'), loadFont('NotoSans-Bold.ttf')]);
  const regular = await pdf.embedFont(regularBytes, { subset: true });
  const bold = await pdf.embedFont(boldBytes, { subset: true });
  const latin = new Set(regular.getCharacterSet());
  // The CJK fallbacks, in order, each loaded and embedded only when a character is still missing after the
  // fonts before it: Japanese (kana, kanji, most hanzi), then Korean (Hangul).
  const fallbacks: { font: PDFFont; has: Set<number> }[] = [];
  let missing = new Set<number>();
  for (const t of texts) for (const ch of clean(t)) if (!latin.has(ch.codePointAt(0)!)) missing.add(ch.codePointAt(0)!);
  for (const name of FALLBACK_FONTS) {
    if (missing.size === 0) break;
    const has = await characterSet(name);
    // Embedded only when it prints something: pdf-lib writes every embedded font into the file.
    if (![...missing].some((c) => has.has(c))) continue;
    fallbacks.push({ font: await pdf.embedFont(await loadFont(name), { subset: true }), has });
    missing = new Set([...missing].filter((c) => !has.has(c)));
  }
  const fallbackFor = (code: number) => fallbacks.find((f) => f.has.has(code))?.font;
  const charset = (font: PDFFont) => (font === regular || font === bold ? latin : fallbacks.find((f) => f.font === font)!.has);

  const runs = (text: string, isBold = false): Run[] => {
    const primary = isBold ? bold : regular;
    const out: Run[] = [];
    for (const ch of clean(text)) {
      const code = ch.codePointAt(0)!;
      const last = out[out.length - 1];
      // Spaces stay in the current run's font when it has them, so "湯呑み 山田太郎" is one run.
      const keep = last && ch === ' ' && charset(last.font).has(code);
      const other = latin.has(code) ? undefined : fallbackFor(code);
      const [font, printed] = keep ? [last.font, ch] : latin.has(code) ? [primary, ch] : other ? [other, ch] : [primary, '?'];
      if (last && last.font === font) last.text += printed;
      else out.push({ text: printed, font });
    }
    return out;
  };
  const width = (text: string, size: number, isBold = false) =>
    runs(text, isBold).reduce((w, r) => w + r.font.widthOfTextAtSize(r.text, size), 0);

  return {
    width,
    draw(page, text, { x, y, size, bold: isBold }) {
      let cursor = x;
      for (const run of runs(text, isBold)) {
        page.drawText(run.text, { x: cursor, y, size, font: run.font });
        cursor += run.font.widthOfTextAtSize(run.text, size);
      }
    },
    fit(text, size, maxWidth, isBold = false, minSize = 6) {
      let s = size;
      while (s > minSize && width(text, s, isBold) > maxWidth) s -= 0.5;
      return s;
    },
  };
}
