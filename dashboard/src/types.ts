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
  /** Some list projections flatten the customer's email. */
  email?: string;
  items?: OrderLine[];
  itemCount?: number;
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

export interface Payment {
  orderId: string;
  paymentIntentId?: string;
  provider?: string;
  status: string;
  amount: Money;
  amountRefunded?: number;
  amountCaptured?: number;
  brand?: string;
  last4?: string;
  declineCode?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RuntimeConfig {
  apiUrl: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
}
