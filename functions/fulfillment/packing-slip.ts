import { PDFDocument, rgb } from 'pdf-lib';
import { addressLines } from '../domain/address';
import { orderLabel, type Order } from '../domain/order';
import { unicodeText } from './fonts';
import { LABEL_HEIGHT_PT, LABEL_WIDTH_PT } from './label';

/**
 * The packing slip that goes into the parcel: a 4×6 inch PDF with the order number, the ship-to block in
 * the destination country's format, and every line with its quantity (no prices: the slip may travel with
 * a gift). Lines that do not fit one page continue on further pages. Unicode through ./fonts.ts.
 */
export async function renderPackingSlipPdf(order: Order, options: { sender?: { name: string }; createdAt?: string } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const reference = orderLabel(order);
  pdf.setTitle(`Packing slip ${reference}`);
  pdf.setSubject(`Order ${order.id}`);
  pdf.setProducer('order-service');
  pdf.setCreationDate(new Date(options.createdAt ?? order.createdAt));
  const recipient = order.shippingAddress.name ?? order.customer.name;
  const address = addressLines(order.shippingAddress);
  const lineTexts = order.items.map((l) => `${l.name} (${l.sku})`);
  const fonts = await unicodeText(pdf, [recipient, ...address, ...lineTexts, options.sender?.name ?? '']);

  const margin = 14;
  const width = LABEL_WIDTH_PT - 2 * margin;
  let page = pdf.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
  let y = LABEL_HEIGHT_PT - margin;
  const text = (value: string, size: number, bold = false, x = margin, maxWidth = width) => {
    const fitted = fonts.fit(value, size, maxWidth, bold);
    y -= fitted + 3;
    fonts.draw(page, value, { x, y, size: fitted, bold });
  };
  const rule = () => {
    y -= 5;
    page.drawLine({ start: { x: margin, y }, end: { x: LABEL_WIDTH_PT - margin, y }, thickness: 1, color: rgb(0, 0, 0) });
    y -= 3;
  };

  text('PACKING SLIP', 16, true);
  text(`Order ${reference}`, 13, true);
  text(`Placed ${order.createdAt.slice(0, 10)}   ·   ${order.id}`, 7);
  if (options.sender?.name) text(`From ${options.sender.name}`, 8);
  rule();
  text('SHIP TO:', 8, true);
  text(recipient, 12, true);
  for (const l of address) text(l, 10);
  rule();
  text('QTY   ITEM', 8, true);
  const qtyWidth = 30;
  for (const [index, line] of order.items.entries()) {
    if (y < margin + 40) {
      page = pdf.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
      y = LABEL_HEIGHT_PT - margin;
      text(`Order ${reference} (continued)`, 9, true);
      rule();
    }
    const size = fonts.fit(lineTexts[index], 10, width - qtyWidth);
    y -= size + 4;
    fonts.draw(page, `${line.quantity}`, { x: margin, y, size: 10, bold: true });
    fonts.draw(page, lineTexts[index], { x: margin + qtyWidth, y, size });
  }
  rule();
  const units = order.items.reduce((n, l) => n + l.quantity, 0);
  text(`${units} ${units === 1 ? 'item' : 'items'} in ${order.items.length} ${order.items.length === 1 ? 'line' : 'lines'}`, 9, true);
  return pdf.save();
}
