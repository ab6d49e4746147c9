import type { ShipmentPlan } from './allocation';
import type { Money } from './money';

/**
 * The order lifecycle of SPEC.md, in plain TypeScript: no AWS here. Stores enforce these transitions with
 * conditional writes (`status IN allowedFrom(to)`), so a racing cancel and workflow step cannot both win.
 */
export const ORDER_STATUSES = ['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const FAILURE_REASONS = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_ERROR', 'FULFILLMENT_ERROR'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED', 'FAILED'];
/** A customer or admin may cancel any time before SHIPPED. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED'];

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['RESERVED', 'CANCELLED', 'FAILED'],
  RESERVED: ['PAYMENT_ACTION_REQUIRED', 'PAID', 'CANCELLED', 'FAILED'],
  /** 3-D Secure: waiting for the customer to authenticate the payment (SPEC.md "Payments, beyond the happy path"). */
  PAYMENT_ACTION_REQUIRED: ['PAID', 'CANCELLED', 'FAILED'],
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
  /** While the order is PAYMENT_ACTION_REQUIRED: what the customer must do to authenticate the payment. */
  nextAction?: NextAction;
  /** When the authorization lapses (Stripe `capture_before`; sandbox: authorization + 7 days). */
  captureBefore?: string;
  /** The latest dispute of the charge, if any. */
  dispute?: DisputeSummary;
}

/** Stripe: the storefront calls stripe.handleNextAction(clientSecret); sandbox: a local page. */
export type NextAction = { type: 'use_stripe_sdk'; clientSecret: string } | { type: 'redirect_to_url'; url: string };

export interface DisputeSummary {
  id: string;
  /** Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost, … */
  status: string;
  reason: string;
  amount: number;
  evidenceDueBy?: string;
  /** When the dispute was opened. */
  openedAt?: string;
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

export const SHIPMENT_STATUSES = ['PLANNED', 'LABELLED', 'SHIPPED', 'DELIVERED'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/**
 * One part of the order shipped from one location (SPEC.md "Shipments"). The reservation plans it
 * (`id`, `location`, `lines`); the label step adds the tracking number and labels; the ship step and the
 * carrier move its status. An order without `shipments` is one shipment S1 from MAIN with all its lines
 * (domain/shipments.ts plannedShipments).
 */
export interface OrderShipment extends ShipmentPlan {
  status?: ShipmentStatus;
  trackingNumber?: string;
  trackingUrl?: string;
  carrier?: string;
  service?: string;
  labelKeys?: { pdf: string; zpl: string };
  shippedAt?: string;
  deliveredAt?: string;
}

/** Set when a compensation still failed after its retries: shown first to admins, and an ops alarm fires. */
export interface NeedsAttention {
  reason: string;
  since: string;
  /**
   * What needs a person. Absent: a compensation failed (the CompensationFailures alarm). The payment kinds
   * (SPEC.md "Payments, beyond the happy path") page through the PaymentAttention alarm instead.
   */
  kind?: 'dispute' | 'refund-failed' | 'authorization-expiring';
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
  payment?: PaymentSummary;
  /** The first shipment (S1), kept for single-shipment readers (emails, tracking page, dashboard). */
  shipment?: ShipmentSummary;
  /**
   * Every shipment of the order: the reservation plans them (one per location used, S1 first:
   * functions/domain/allocation.ts), the label and ship steps and the carrier fill in the rest. Absent on
   * orders reserved before locations existed: `plannedShipments(order)` reads those as S1 at MAIN.
   */
  shipments?: OrderShipment[];
  /** How many shipments have been handed to the carrier while the order is still LABELLED: blocks a cancel. */
  shippedParts?: number;
  timeline: TimelineEntry[];
  /**
   * Every status transition, appended by the transition's own write (orders transitioned before it existed
   * lack the earlier ones). Unlike the timeline, which also holds notes, entry n is the n-th transition: the
   * status events for integrators are named by n, so the reconciler can tell which of them exist.
   */
  statusLog?: { status: OrderStatus; at: string }[];
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
      ? {
          payment: {
            status: order.payment.status,
            brand: order.payment.brand,
            last4: order.payment.last4,
            ...(order.status === 'PAYMENT_ACTION_REQUIRED' && order.payment.nextAction ? { nextAction: order.payment.nextAction } : {}),
          },
        }
      : {}),
    ...(order.shipment ? { shipment: { trackingNumber: order.shipment.trackingNumber, trackingUrl: order.shipment.trackingUrl } } : {}),
    ...(order.shipments?.length ? { shipments: order.shipments.map(shipmentView) } : {}),
    ...(order.payment?.amountRefunded ? { refunded: { amount: order.payment.amountRefunded, currency: order.total.currency } } : {}),
    timeline: order.timeline.map(({ at, status, reason }) => ({ at, status, reason })),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** A shipment as customers and admins see it: SPEC.md `{ id, location, items, trackingNumber, trackingUrl, status }`. */
export function shipmentView(s: OrderShipment) {
  return {
    id: s.id,
    location: s.location,
    items: s.lines,
    status: s.status ?? 'PLANNED',
    ...(s.trackingNumber ? { trackingNumber: s.trackingNumber, trackingUrl: s.trackingUrl } : {}),
    ...(s.shippedAt ? { shippedAt: s.shippedAt } : {}),
    ...(s.deliveredAt ? { deliveredAt: s.deliveredAt } : {}),
  };
}

/** "#1001", or the id for orders placed before numbers existed. */
export function orderLabel(order: Pick<Order, 'id' | 'number'>): string {
  return order.number !== undefined ? `#${order.number}` : order.id;
}
