// Reads a PDF on stdin and prints JSON { pages: [{ width, height, text, png }] } using pdfjs-dist (ESM only,
// so it runs in a child process rather than inside jest's CommonJS runtime). `png` is the page rendered at
// 3× through @napi-rs/canvas (base64), for decoding the barcode exactly as a printer would see it.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas } from '@napi-rs/canvas';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const data = new Uint8Array(Buffer.concat(chunks));
const render = process.argv.includes('--render');

const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  const [x0, y0, x1, y1] = page.view;
  const content = await page.getTextContent();
  const text = content.items.map((item) => item.str).join('\n');
  let png;
  if (render) {
    const viewport = page.getViewport({ scale: 3 });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvasContext: context, canvas, viewport }).promise;
    png = (await canvas.encode('png')).toString('base64');
  }
  pages.push({ width: x1 - x0, height: y1 - y0, text, png });
}
process.stdout.write(JSON.stringify({ pages }));
