/**
 * The shapes the dashboard reads from the /admin API (SPEC.md). Kept here rather than imported from
 * `functions/` so the browser bundle never pulls server modules; optional fields are the ones SPEC.md
 * leaves to the implementation, and the pages render them only when present.
 */
export interface Money {
  amount: number;
  currency: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export const ORDER_STATUSES = ['PENDING', 'RESERVED', 'PAID', 'LABELLED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const CANCELLABLE: readonly string[] = ['PENDING', 'RESERVED', 'PAID', 'LABELLED'];

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export interface OrderLine {
  sku: string;
  name?: string;
  quantity: number;
  unitPrice?: Money;
  lineTotal?: Money;
}

export interface Customer {
  name?: string;
  email?: string;
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

export interface PaymentSummary {
  provider?: string;
  paymentIntentId?: string;
  status: string;
  amount?: Money;
  amountRefunded?: number;
  amountCaptured?: number;
  brand?: string;
  last4?: string;
  expMonth?: number;
  expYear?: number;
  declineCode?: string;
}

export interface ShipmentSummary {
  trackingNumber: string;
  trackingUrl?: string;
  carrier?: string;
  service?: string;
  shippedAt?: string;
  deliveredAt?: string;
}

export interface TimelineEntry {
  at: string;
  status: string;
  actor?: string;
  reason?: string;
}

export interface OrderSummary {
  id: string;
  status: OrderStatus | string;
  failureReason?: string;
  customer?: Customer;
  /** The admin list flattens the customer: `email`, `name`, and the number of `lines`. */
  email?: string;
  name?: string;
  lines?: number;
  items?: OrderLine[];
  trackingNumber?: string | null;
  total: Money;
  createdAt: string;
  updatedAt?: string;
}

export interface Order extends OrderSummary {
  items: OrderLine[];
  shippingAddress?: Address;
  payment?: PaymentSummary;
  shipment?: ShipmentSummary;
  timeline?: TimelineEntry[];
  /** The full payment record (GET /admin/orders/{id}): captured and refunded amounts, history. */
  paymentRecord?: PaymentRecord | null;
}

export interface Product {
  sku: string;
  name: string;
  description?: string;
  price: Money;
  lowStockThreshold: number;
  active: boolean;
  createdAt?: string;
  updatedAt?: string;
  inventory?: InventoryLevel | null;
}

export interface InventoryLevel {
  sku: string;
  name?: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  low: boolean;
}

export interface Adjustment {
  at: string;
  delta: number;
  reason: string;
  by: string;
  onHand: number;
  reserved: number;
}

export interface Alert {
  id: string;
  sku: string;
  name?: string;
  available: number;
  threshold: number;
  daysOfCover?: number | null;
  createdAt: string;
}

/** Payment statuses of this service (functions/payments/payment.ts); the list filter accepts only these. */
export const PAYMENT_STATUSES = ['authorized', 'declined', 'voided', 'captured', 'partially_refunded', 'refunded', 'failed'] as const;

export interface PaymentRecord {
  orderId: string;
  provider?: string;
  intentId?: string;
  status: string;
  amount: Money;
  amountCaptured?: number;
  amountRefunded?: number;
  card?: { brand?: string; last4?: string; expMonth?: number; expYear?: number };
  declineCode?: string;
  history?: { at: string; status: string; source?: string; detail?: string }[];
  refunds?: { refundId: string; amount: number; at: string; actor?: string }[];
  refundInProgress?: { amount: number; requestedAt: string };
  createdAt?: string;
  updatedAt?: string;
}

export type Payment = PaymentRecord;

export interface RuntimeConfig {
  apiUrl: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
}
