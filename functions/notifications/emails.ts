import { formatMoney, type Money } from '../domain/money';
import { orderLabel, type FailureReason, type Order } from '../domain/order';

/**
 * Every customer email, in one place (SPEC.md "Customers hear about every change"): one template per kind,
 * each rendered as plain text and as HTML from the same blocks, with the order number in the subject and
 * the `X-Order-Id` / `X-Notification-Kind` headers. The outbox consumer calls `composeEmail(kind, order,
 * extra)` and hands the result to adapters/mailer.ts `sendEmail`.
 */

export const EMAIL_KINDS = [
  'confirmation',
  'action-required',
  'shipped',
  'delivered',
  'cancelled',
  'failed',
  'refunded',
  'return-requested',
  'return-approved',
  'return-rejected',
  'return-received',
  'return-refunded',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export interface ReturnDetails {
  id: string;
  items: { sku: string; quantity: number; reason?: string }[];
  /** Rejection reason. */
  reason?: string;
  trackingNumber?: string;
  labelUrl?: string;
  /** Refunded for the return. */
  amount?: Money;
}

/** What the event knows beyond the order itself. */
export interface EmailExtra {
  /** refunded / cancelled-after-capture: the amount this event refunded. */
  amount?: Money;
  /** action-required: where the customer authenticates the payment (sandbox page or the shop's 3-D Secure page). */
  actionUrl?: string;
  /** return-* kinds. */
  return?: ReturnDetails;
  /** shipped, for one shipment of a split order. */
  shipment?: { id: string; of: number; trackingNumber?: string; trackingUrl?: string; carrier?: string; lines: { sku: string; quantity: number }[] };
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Always X-Order-Id and X-Notification-Kind. */
  headers: Record<string, string>;
  kind: EmailKind;
  orderId: string;
}

type Block =
  | { p: string }
  | { lines: Order['items']; total?: Money }
  | { link: string; label: string }
  | { facts: [string, string][] };

interface Template {
  subject: string;
  heading: string;
  blocks: Block[];
}

const declineWords: Record<string, string> = {
  insufficient_funds: 'the card has insufficient funds',
  expired_card: 'the card has expired',
  authentication_failed: 'the card’s security check (3-D Secure) was refused',
  authentication_required: 'the card’s security check (3-D Secure) was not completed in time',
  invalid_payment_method: 'the card details could not be used',
};

/** The failure reason in plain words. */
export function failureInWords(reason: FailureReason | undefined, declineCode?: string): string {
  switch (reason) {
    case 'OUT_OF_STOCK':
      return 'some of the items sold out before we could set them aside for you';
    case 'PAYMENT_DECLINED':
      return `the payment was declined: ${declineWords[declineCode ?? ''] ?? 'your bank declined it'}`;
    case 'PAYMENT_ERROR':
      return 'we could not reach the payment provider to take the payment';
    case 'FULFILLMENT_ERROR':
      return 'we could not prepare the shipment';
    default:
      return 'something went wrong on our side';
  }
}

const cardOf = (order: Order) => (order.payment?.brand ? `${order.payment.brand} ending in ${order.payment.last4}` : 'your card');

/** What happened to the money of a cancelled order. */
function moneyAfterCancel(order: Order, extra: EmailExtra): string {
  const payment = order.payment;
  const refunded = extra.amount ?? (payment?.amountRefunded ? { amount: payment.amountRefunded, currency: order.total.currency } : undefined);
  if (payment && ['captured', 'partially_refunded', 'refunded'].includes(payment.status)) {
    return refunded
      ? `${formatMoney(refunded)} was refunded to ${cardOf(order)}; banks usually show it within 5–10 business days.`
      : `The amount charged will be refunded to ${cardOf(order)}.`;
  }
  if (payment && ['authorized', 'voided'].includes(payment.status)) {
    return `The authorization of ${formatMoney(order.total)} on ${cardOf(order)} was released: nothing was charged.`;
  }
  return 'Nothing was charged.';
}

const returnLines = (order: Order, r: ReturnDetails): Order['items'] =>
  r.items.map((item) => {
    const line = order.items.find((l) => l.sku === item.sku);
    const unit = line?.unitPrice ?? { amount: 0, currency: order.total.currency };
    return { sku: item.sku, name: line?.name ?? item.sku, quantity: item.quantity, unitPrice: unit, lineTotal: { amount: unit.amount * item.quantity, currency: unit.currency } };
  });

function template(kind: EmailKind, order: Order, extra: EmailExtra): Template {
  const n = orderLabel(order);
  const tracking = order.shipment;
  const r = extra.return;
  switch (kind) {
    case 'confirmation':
      return {
        subject: `Order ${n} confirmed`,
        heading: `Thank you for your order ${n}`,
        blocks: [
          { p: `Your payment of ${formatMoney(order.total)} on ${cardOf(order)} is authorized; it is charged when the order ships.` },
          { lines: order.items, total: order.total },
          { p: 'You can still cancel the order until it is prepared for shipping.' },
        ],
      };
    case 'action-required': {
      const url = extra.actionUrl ?? (order.payment as { nextAction?: { url?: string } } | undefined)?.nextAction?.url;
      return {
        subject: `Order ${n}: please confirm your payment`,
        heading: `Your bank asks you to confirm the payment for order ${n}`,
        blocks: [
          { p: `To finish paying ${formatMoney(order.total)} with ${cardOf(order)}, confirm the payment with your bank. Until then nothing is charged, and if it is not confirmed the order is cancelled.` },
          ...(url ? [{ link: url, label: 'Confirm the payment' }] : []),
          { lines: order.items, total: order.total },
        ],
      };
    }
    case 'shipped':
      if (extra.shipment) {
        const part = extra.shipment;
        return {
          subject: `Order ${n}: parcel ${part.id.slice(1)} of ${part.of} has shipped`,
          heading: `Part of your order ${n} is on its way (parcel ${part.id.slice(1)} of ${part.of})`,
          blocks: [
            ...(part.id === 'S1' ? [{ p: `${formatMoney(order.total)} was charged to ${cardOf(order)}.` }] : []),
            { lines: returnLines(order, { id: part.id, items: part.lines }) },
            { facts: [['Tracking number', part.trackingNumber ?? 'pending'], ['Carrier', part.carrier ?? '—']] as [string, string][] },
            ...(part.trackingUrl ? [{ link: part.trackingUrl, label: 'Track this parcel' }] : []),
          ],
        };
      }
      return {
        subject: `Order ${n} has shipped`,
        heading: `Your order ${n} is on its way`,
        blocks: [
          { p: `${formatMoney(order.total)} was charged to ${cardOf(order)}.` },
          { lines: order.items },
          { facts: [['Tracking number', tracking?.trackingNumber ?? 'pending'], ['Carrier', tracking?.carrier ?? '—']] },
          ...(tracking?.trackingUrl ? [{ link: tracking.trackingUrl, label: 'Track your parcel' }] : []),
        ],
      };
    case 'delivered':
      return {
        subject: `Order ${n} was delivered`,
        heading: `Your order ${n} was delivered`,
        blocks: [
          { p: `The carrier reports that your parcel${tracking ? ` (${tracking.trackingNumber})` : ''} was delivered. We hope you enjoy it.` },
          { lines: order.items },
          { p: 'Something not right? You can ask for a return within 30 days of delivery.' },
        ],
      };
    case 'cancelled':
      return {
        subject: `Order ${n} was cancelled`,
        heading: `Your order ${n} was cancelled`,
        blocks: [{ p: moneyAfterCancel(order, extra) }, { lines: order.items, total: order.total }],
      };
    case 'failed':
      return {
        subject: `Order ${n} could not be completed`,
        heading: `We could not complete your order ${n}`,
        blocks: [
          { p: `We are sorry: ${failureInWords(order.failureReason, order.payment?.declineCode)}.` },
          { p: 'Nothing was charged; any authorization on your card has been released.' },
          { lines: order.items, total: order.total },
        ],
      };
    case 'refunded': {
      const amount = extra.amount ?? { amount: order.payment?.amountRefunded ?? 0, currency: order.total.currency };
      return {
        subject: `Order ${n}: ${formatMoney(amount)} refunded`,
        heading: `We refunded ${formatMoney(amount)} for order ${n}`,
        blocks: [
          { p: `${formatMoney(amount)} was refunded to ${cardOf(order)}. Banks usually show it within 5–10 business days.` },
          { facts: [['Order total', formatMoney(order.total)], ['Refunded', formatMoney(amount)]] },
        ],
      };
    }
    case 'return-requested':
      return {
        subject: `Order ${n}: return request received`,
        heading: `We received your return request for order ${n}`,
        blocks: [{ p: 'We will review it shortly and send you a return label once it is approved.' }, ...(r ? [{ lines: returnLines(order, r) }] : [])],
      };
    case 'return-approved':
      return {
        subject: `Order ${n}: return approved`,
        heading: `Your return for order ${n} is approved`,
        blocks: [
          { p: 'Pack the items below, attach the return label and hand the parcel to the carrier.' },
          ...(r ? [{ lines: returnLines(order, r) }] : []),
          ...(r?.trackingNumber ? [{ facts: [['Return tracking number', r.trackingNumber]] as [string, string][] }] : []),
          ...(r?.labelUrl ? [{ link: r.labelUrl, label: 'Download the return label' }] : []),
        ],
      };
    case 'return-rejected':
      return {
        subject: `Order ${n}: return not accepted`,
        heading: `We could not accept your return for order ${n}`,
        blocks: [{ p: r?.reason ? `Reason: ${r.reason}` : 'Please contact us if you have questions.' }],
      };
    case 'return-received':
      return {
        subject: `Order ${n}: return received`,
        heading: `Your returned items for order ${n} arrived`,
        blocks: [{ p: 'We are checking them now; the refund follows shortly.' }, ...(r ? [{ lines: returnLines(order, r) }] : [])],
      };
    case 'return-refunded': {
      const amount = r?.amount ?? extra.amount ?? { amount: 0, currency: order.total.currency };
      return {
        subject: `Order ${n}: return refunded (${formatMoney(amount)})`,
        heading: `We refunded ${formatMoney(amount)} for your return`,
        blocks: [{ p: `${formatMoney(amount)} was refunded to ${cardOf(order)} for the returned items of order ${n}.` }],
      };
    }
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function renderText(name: string, t: Template): string {
  const out = [`Hello ${name},`, '', t.heading + '.', ''];
  for (const b of t.blocks) {
    if ('p' in b) out.push(b.p, '');
    else if ('lines' in b) {
      for (const l of b.lines) out.push(`  ${l.quantity} × ${l.name} (${l.sku})  ${formatMoney(l.lineTotal)}`);
      if (b.total) out.push(`  Total  ${formatMoney(b.total)}`);
      out.push('');
    } else if ('link' in b) out.push(`${b.label}: ${b.link}`, '');
    else out.push(...b.facts.map(([k, v]) => `${k}: ${v}`), '');
  }
  return out.join('\n').trimEnd() + '\n';
}

function renderHtml(name: string, t: Template): string {
  const parts: string[] = [];
  for (const b of t.blocks) {
    if ('p' in b) parts.push(`<p>${escapeHtml(b.p)}</p>`);
    else if ('lines' in b) {
      const rows = b.lines.map((l) => `<tr><td>${l.quantity} ×</td><td>${escapeHtml(l.name)} <small>(${escapeHtml(l.sku)})</small></td><td align="right">${escapeHtml(formatMoney(l.lineTotal))}</td></tr>`);
      if (b.total) rows.push(`<tr><th colspan="2" align="left">Total</th><th align="right">${escapeHtml(formatMoney(b.total))}</th></tr>`);
      parts.push(`<table cellpadding="4" style="border-collapse:collapse">${rows.join('')}</table>`);
    } else if ('link' in b) parts.push(`<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a></p>`);
    else parts.push(`<p>${b.facts.map(([k, v]) => `${escapeHtml(k)}: <strong>${escapeHtml(v)}</strong>`).join('<br>')}</p>`);
  }
  return `<!doctype html><html><body style="font-family:sans-serif"><p>Hello ${escapeHtml(name)},</p><h1 style="font-size:20px">${escapeHtml(t.heading)}</h1>${parts.join('')}</body></html>`;
}

/** The email for one event of the order. Pure: sending and once-only bookkeeping are the caller's. */
export function composeEmail(kind: EmailKind, order: Order, extra: EmailExtra = {}): Email {
  const t = template(kind, order, extra);
  return {
    to: order.customer.email,
    subject: t.subject,
    text: renderText(order.customer.name, t),
    html: renderHtml(order.customer.name, t),
    headers: { 'X-Order-Id': order.id, 'X-Notification-Kind': kind },
    kind,
    orderId: order.id,
  };
}
