/**
 * The shapes the dashboard reads from the /admin API (SPEC.md). Where the server's own type IS the wire
 * shape it is imported with `import type`: erased by esbuild, so no server module (nor the AWS SDK) reaches
 * the bundle, and a server-side change fails `tsc` here instead of a page at runtime. Where the API builds a
 * view (list rows, product with stock, payment without bookkeeping) the type is derived from that view.
 */
import type { Page as ServerPage } from '../../functions/commons/pagination';
import type { FieldError, Problem as ServerProblem } from '../../functions/commons/problem';
import type { levelsView, LowStockAlert } from '../../functions/domain/inventory';
import type { Money } from '../../functions/domain/money';
import type { Order as StoredOrder, OrderStatus, PaymentSummary, shipmentView } from '../../functions/domain/order';
import type { ReturnRecord } from '../../functions/domain/returns';
import type { adminReturnView } from '../../functions/returns/views';
import type { Adjustment } from '../../functions/adapters/inventory-store';
import type { Location as StockLocation } from '../../functions/adapters/location-store';
import type { OpsAlarm } from '../../functions/adapters/ops-alarms';
import type { Product as StoredProduct } from '../../functions/adapters/product-store';
import type { adminPaymentView, PaymentStatus } from '../../functions/payments/payment';
import type { Overview as ServerOverview } from '../../functions/orders/reports';
import type { Movement } from '../../functions/domain/ledger';

export type Overview = ServerOverview;
export type LedgerMovement = Omit<Movement, 'sku'>;

export type { Adjustment, FieldError, Money, OpsAlarm, OrderStatus, StockLocation };

/** GET /admin/ops/alarms: CloudWatch alarm states on AWS, what would have alarmed in local mode. */
export interface OpsAlarms {
  source: 'cloudwatch' | 'local';
  items: OpsAlarm[];
}

export type Page<T> = ServerPage<T>;

/** What ApiError carries: the server's problem+json, or just the status when the body was something else. */
export type Problem = Partial<ServerProblem> & Pick<ServerProblem, 'status'>;

// The status lists are values, so they live here; a Record over the server's union keeps them complete.
const orderStatuses: Record<OrderStatus, true> = { PENDING: true, RESERVED: true, PAYMENT_ACTION_REQUIRED: true, PAID: true, LABELLED: true, SHIPPED: true, DELIVERED: true, CANCELLED: true, FAILED: true };
export const ORDER_STATUSES = Object.keys(orderStatuses) as OrderStatus[];
export const CANCELLABLE: readonly OrderStatus[] = ['PENDING', 'RESERVED', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'LABELLED'];

/** Payment statuses of this service; the list filter accepts only these. */
const paymentStatuses: Record<PaymentStatus, true> = { action_required: true, authorized: true, declined: true, voided: true, captured: true, partially_refunded: true, refunded: true, failed: true };
export const PAYMENT_STATUSES = Object.keys(paymentStatuses) as PaymentStatus[];

/** GET /admin/payments items and the order page's payment record: the record minus bookkeeping. */
export type Payment = ReturnType<typeof adminPaymentView>;

/** GET /admin/disputes items. */
export interface DisputeRow {
  orderId: string;
  paymentIntentId?: string;
  amount: Money;
  paymentStatus: PaymentStatus;
  dispute: NonNullable<PaymentSummary['dispute']>;
}

/** Stripe's dispute statuses, for the disputes filter (functions/payments/stripe-events.ts). */
export const DISPUTE_STATUSES = ['needs_response', 'warning_needs_response', 'under_review', 'warning_under_review', 'won', 'lost', 'warning_closed', 'prevented'] as const;

/** GET /admin/orders/{id}: the stored order plus its full payment record. */
/** A shipment as the admin order view shows it (functions/orders/admin-view.ts). */
export type ShipmentView = ReturnType<typeof shipmentView> & { carrier?: string; hasLabel?: boolean };
/** A return as GET /admin/returns and /admin/returns/{id} answer (functions/returns/views.ts). */
export type ReturnView = ReturnType<typeof adminReturnView>;
export type OrderReturnSummary = Pick<ReturnRecord, 'id' | 'status' | 'items' | 'refund' | 'createdAt'>;
export type Order = Omit<StoredOrder, 'shipments'> & {
  paymentRecord: Payment | null;
  addressLines?: string[];
  shipments?: ShipmentView[];
  returns?: OrderReturnSummary[];
  refunded?: Money;
};

/** A row of GET /admin/orders: the customer flattened to email and name, lines counted. */
export type OrderSummary = Pick<StoredOrder, 'id' | 'status' | 'failureReason' | 'total' | 'createdAt' | 'updatedAt'> & { number: number | null } &
  Pick<StoredOrder['customer'], 'email' | 'name'> & {
    lines: number;
    payment: Pick<PaymentSummary, 'status' | 'brand' | 'last4'> | null;
    trackingNumber: string | null;
    needsAttention: StoredOrder['needsAttention'] | null;
  };

/** Stock levels as the API shows them; `name` is filled in by the inventory page from the catalogue. */
export type InventoryLevel = ReturnType<typeof levelsView> & { name?: string };

/** GET /admin/products[/{sku}]: the product with its stock levels (null before any stock was recorded). */
export type Product = StoredProduct & { inventory: InventoryLevel | null };

export type Alert = LowStockAlert & { published: boolean; resolvedAt: string | null };

export interface RuntimeConfig {
  apiUrl: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
}
