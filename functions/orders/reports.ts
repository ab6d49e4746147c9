import type { Money } from '../domain/money';
import type { Order } from '../domain/order';

/**
 * Admin reports over a set of orders, pure: the CSV export and the overview of SPEC.md "Finding and
 * reading orders". Money stays integer minor units, summed per currency (never mixed).
 */

const fractionDigits = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Minor units as a plain decimal for spreadsheets: 5900 USD → "59.00", 1500 JPY → "1500". */
export function decimal(amount: number, currency: string): string {
  const digits = fractionDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, '0')}`;
}

/** What was captured and refunded, in minor units of the order's currency. */
export function moneyTaken(order: Order): { captured: number; refunded: number } {
  const p = order.payment;
  const captured = p && ['captured', 'partially_refunded', 'refunded'].includes(p.status) ? p.amount.amount : 0;
  return { captured, refunded: p?.amountRefunded ?? 0 };
}

export const CSV_HEADER = ['number', 'id', 'placedAt', 'status', 'customerName', 'email', 'lines', 'total', 'currency', 'captured', 'refunded'] as const;

/** RFC 4180 quoting; a leading = + - @ (or tab/CR) is neutralised so a spreadsheet never runs a name as a formula. */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function ordersCsv(orders: Order[]): string {
  const rows = orders.map((o) => {
    const { captured, refunded } = moneyTaken(o);
    const c = o.total.currency;
    return [o.number ?? '', o.id, o.createdAt, o.status, o.customer.name, o.customer.email, o.items.reduce((n, l) => n + l.quantity, 0), decimal(o.total.amount, c), c, decimal(captured, c), decimal(refunded, c)];
  });
  return [CSV_HEADER.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

const addTo = (totals: Map<string, number>, currency: string, amount: number) => totals.set(currency, (totals.get(currency) ?? 0) + amount);
const moneyList = (totals: Map<string, number>): Money[] =>
  [...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ amount, currency }));

export interface Overview {
  from: string;
  to: string;
  ordersPlaced: number;
  ordersShipped: number;
  ordersCancelled: number;
  ordersFailed: number;
  revenue: Money[];
  averageOrderValue: Money[];
  perDay: { date: string; orders: number; revenue: Money[] }[];
  needsAttention: { orders: number; lowStock: number; disputes: number };
}

const OPEN_DISPUTE = /^(warning_needs_response|warning_under_review|needs_response|under_review|open)$/;

/**
 * The overview of the orders placed in [from, to]: counts by outcome, revenue (captured minus refunded)
 * and average order value per currency (revenue over the orders that were paid for), one entry per UTC
 * day, and what needs attention.
 */
export function overviewOf(orders: Order[], range: { from: string; to: string }, lowStock: number): Overview {
  const revenue = new Map<string, number>();
  const paidOrders = new Map<string, number>();
  const days = new Map<string, { orders: number; revenue: Map<string, number> }>();
  for (let d = new Date(range.from.slice(0, 10)); d.toISOString().slice(0, 10) <= range.to.slice(0, 10); d.setUTCDate(d.getUTCDate() + 1)) {
    days.set(d.toISOString().slice(0, 10), { orders: 0, revenue: new Map() });
  }
  let shipped = 0;
  let cancelled = 0;
  let failed = 0;
  let attention = 0;
  let disputes = 0;
  for (const o of orders) {
    const { captured, refunded } = moneyTaken(o);
    const c = o.total.currency;
    if (o.status === 'SHIPPED' || o.status === 'DELIVERED') shipped++;
    if (o.status === 'CANCELLED') cancelled++;
    if (o.status === 'FAILED') failed++;
    if ((o as { needsAttention?: unknown }).needsAttention) attention++;
    const dispute = (o.payment as { dispute?: { status?: string } } | undefined)?.dispute;
    if (dispute?.status && OPEN_DISPUTE.test(dispute.status)) disputes++;
    if (captured > 0) {
      addTo(revenue, c, captured - refunded);
      addTo(paidOrders, c, 1);
    }
    const day = days.get(o.createdAt.slice(0, 10));
    if (day) {
      day.orders++;
      if (captured > 0) addTo(day.revenue, c, captured - refunded);
    }
  }
  return {
    from: range.from,
    to: range.to,
    ordersPlaced: orders.length,
    ordersShipped: shipped,
    ordersCancelled: cancelled,
    ordersFailed: failed,
    revenue: moneyList(revenue),
    averageOrderValue: moneyList(new Map([...revenue].map(([c, amount]) => [c, Math.round(amount / paidOrders.get(c)!)]))),
    perDay: [...days.entries()].map(([date, d]) => ({ date, orders: d.orders, revenue: moneyList(d.revenue) })),
    needsAttention: { orders: attention, lowStock, disputes },
  };
}
