import type { ShipmentPlan } from './allocation';
import type { Money } from './money';

/**
 * The order lifecycle of SPEC.md, in plain TypeScript: no AWS here. Stores enforce these transitions with
 * conditional writes (`status IN allowedFrom(to)`), so a racing cancel and workflow step cannot both win.
 */
export const ORDER_STATUSES = ['PENDING', 'RESERVED', 'PAID', 'LABELLED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const FAILURE_REASONS = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_ERROR', 'FULFILLMENT_ERROR'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED', 'FAILED'];
/** A customer or admin may cancel any time before SHIPPED. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PENDING', 'RESERVED', 'PAID', 'LABELLED'];

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['RESERVED', 'CANCELLED', 'FAILED'],
  RESERVED: ['PAID', 'CANCELLED', 'FAILED'],
  PAID: ['LABELLED', 'CANCELLED', 'FAILED'],
  LABELLED: ['SHIPPED', 'CANCELLED', 'FAILED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
  FAILED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** The statuses from which `to` may be reached: the condition a store writes. */
export function allowedFrom(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => transitions[from].includes(to));
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Where the order's reserved stock is; compensations flip it exactly once inside a transaction. */
export type StockState = 'NONE' | 'RESERVED' | 'RELEASED' | 'SHIPPED';

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Customer {
  name: string;
  email: string;
  phone?: string;
}

export interface Address {
  name?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

/** One entry per status change or notable step: when, who or which step, why. */
export interface TimelineEntry {
  at: string;
  status: OrderStatus;
  actor: string;
  reason: string;
}

export interface PaymentSummary {
  provider: 'stripe' | 'sandbox';
  paymentIntentId?: string;
  status: string;
  amount: Money;
  amountRefunded?: number;
  brand?: string;
  last4?: string;
  expMonth?: number;
  expYear?: number;
  declineCode?: string;
}

export interface ShipmentSummary {
  trackingNumber: string;
  trackingUrl: string;
  carrier: string;
  service: string;
  labelKey?: string;
  shippedAt?: string;
  deliveredAt?: string;
}

/** Set when a compensation still failed after its retries: shown first to admins, and an ops alarm fires. */
export interface NeedsAttention {
  reason: string;
  since: string;
}

export interface Order {
  /** Derived from (customer, Idempotency-Key): functions/domain/order-identity.ts. */
  id: string;
  /** Hash of the request body that created the order: a reused key with another body is a 422. */
  requestFingerprint?: string;
  /**
   * The customer-facing order number (from 1001, unique, increasing over time, gaps allowed), shown as
   * "#1001". Optional only because orders placed before numbers existed have none.
   */
  number?: number;
  userId: string;
  status: OrderStatus;
  failureReason?: FailureReason;
  customer: Customer;
  shippingAddress: Address;
  items: OrderLine[];
  total: Money;
  paymentMethodId: string;
  stock: StockState;
  /** Hot SKUs only: which stock shards this order's reservation took from ({ sku: [[shard, quantity]] }). */
  stockAllocation?: Record<string, [number, number][]>;
  /**
   * Where the reservation took the stock: one shipment per location used, S1 first (functions/domain/allocation.ts).
   * Absent on orders reserved before locations existed: `plannedShipments(order)` reads those as S1 at MAIN.
   */
  shipments?: ShipmentPlan[];
  payment?: PaymentSummary;
  shipment?: ShipmentSummary;
  timeline: TimelineEntry[];
  needsAttention?: NeedsAttention;
  /** How many workflow executions this order has had; the reconciler starts the next one by number. */
  workflowRun?: number;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency counter bumped by every write. */
  version: number;
}

/** What customers see of their own order (no internal fields). */
export function customerView(order: Order) {
  return {
    id: order.id,
    ...(order.number !== undefined ? { number: order.number } : {}),
    status: order.status,
    ...(order.failureReason ? { failureReason: order.failureReason } : {}),
    items: order.items,
    total: order.total,
    customer: order.customer,
    shippingAddress: order.shippingAddress,
    ...(order.payment
      ? { payment: { status: order.payment.status, brand: order.payment.brand, last4: order.payment.last4 } }
      : {}),
    ...(order.shipment ? { shipment: { trackingNumber: order.shipment.trackingNumber, trackingUrl: order.shipment.trackingUrl } } : {}),
    timeline: order.timeline.map(({ at, status, reason }) => ({ at, status, reason })),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** "#1001", or the id for orders placed before numbers existed. */
export function orderLabel(order: Pick<Order, 'id' | 'number'>): string {
  return order.number !== undefined ? `#${order.number}` : order.id;
}
