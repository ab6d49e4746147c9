import { formatMoney } from '../domain/money';
import type { Order } from '../domain/order';

export type EmailKind = 'confirmation' | 'shipped';

export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** Customer emails, plain text: order id, lines, total, card brand and last 4; tracking when shipped. */
export function composeEmail(kind: EmailKind, order: Order): Email {
  const lines = order.items.map((line) => `  ${line.quantity} × ${line.name} (${line.sku})  ${formatMoney(line.lineTotal)}`);
  const card = order.payment?.brand ? `${order.payment.brand} ending in ${order.payment.last4}` : 'your card';
  if (kind === 'confirmation') {
    return {
      to: order.customer.email,
      subject: `Order confirmed: ${order.id}`,
      text: [
        `Hello ${order.customer.name},`,
        '',
        `Thank you for your order ${order.id}. Your payment of ${formatMoney(order.total)} on ${card} is authorized; it is charged when the order ships.`,
        '',
        ...lines,
        `  Total  ${formatMoney(order.total)}`,
        '',
        'You can still cancel the order until it is prepared for shipping.',
      ].join('\n'),
    };
  }
  return {
    to: order.customer.email,
    subject: `Your order has shipped: ${order.id}`,
    text: [
      `Hello ${order.customer.name},`,
      '',
      `Your order ${order.id} is on its way. ${formatMoney(order.total)} was charged to ${card}.`,
      '',
      ...lines,
      '',
      `Tracking number: ${order.shipment?.trackingNumber ?? 'pending'}`,
      `Track it here: ${order.shipment?.trackingUrl ?? ''}`,
    ].join('\n'),
  };
}
