import * as z from '../functions/domain/zod';
import { registry, type $ZodType } from 'zod/v4/core';
import { FAILURE_REASONS, ORDER_STATUSES, type customerView } from '../functions/domain/order';
import { DISPOSITIONS, RETURN_STATUSES } from '../functions/domain/returns';
import type { customerReturnView } from '../functions/returns/views';
import type { deliveryView, subscriptionView } from '../functions/webhooks/service';
import { EVENT_SCOPES, EVENT_TYPES } from '../functions/webhooks/events';

/**
 * The success response of every route, for the OpenAPI document (lib/openapi.ts): its status, what it is,
 * and where the handler's output has a type, the zod schema of its body. The schemas are checked against
 * the view functions' types at compile time (below) and against real handler answers in
 * test/integration/orders/openapi-responses.test.ts; test/infra/openapi.test.ts checks every route has one and
 * that its status is one the handler answers with. Errors are problem+json (components.schemas.Problem).
 */
export interface SuccessResponse {
  status: number;
  description: string;
  /** A JSON body's schema; absent for a JSON body not described yet (an object), or no body (204). */
  schema?: $ZodType;
  /** Not JSON: the media type (the body is text or a file). */
  mediaType?: string;
  /** Another success status the route answers with (e.g. 200 instead of 204), described the same way. */
  alternative?: Omit<SuccessResponse, 'alternative'>;
}

/** Every response schema, by its name in components.schemas (the document refers to them with $ref). */
export const RESPONSE_SCHEMAS = registry<{ id: string }>();
const named = <T extends $ZodType>(id: string, schema: T): T => {
  RESPONSE_SCHEMAS.add(schema, { id });
  return schema;
};

const isoTime = z.string();
const money = named('Money', z.object({ amount: z.number().check(z.int()), currency: z.string() }));
const timelineEntry = z.strictObject({ at: isoTime, status: z.string(), reason: z.string() });
const address = z.object({ name: z.optional(z.string()), line1: z.string(), line2: z.optional(z.string()), city: z.string(), region: z.optional(z.string()), postalCode: z.string(), country: z.string() });
const orderLine = z.object({ sku: z.string(), name: z.string(), quantity: z.number().check(z.int()), unitPrice: money, lineTotal: money });
const nextAction = z.union([
  z.strictObject({ type: z.literal('use_stripe_sdk'), clientSecret: z.string() }),
  z.strictObject({ type: z.literal('redirect_to_url'), url: z.string() }),
]);
const shipment = named('Shipment', z.strictObject({
  id: z.string(),
  location: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().check(z.int()) })),
  status: z.enum(['PLANNED', 'LABELLED', 'SHIPPED', 'DELIVERED']),
  trackingNumber: z.optional(z.string()),
  trackingUrl: z.optional(z.string()),
  shippedAt: z.optional(isoTime),
  deliveredAt: z.optional(isoTime),
}));

/** GET /orders/{id} (and what POST /orders, cancel and the customer's list answer with): the customer's view. */
export const orderViewSchema = named('Order', z.strictObject({
  id: z.string(),
  number: z.optional(z.number().check(z.int())),
  status: z.enum(ORDER_STATUSES),
  failureReason: z.optional(z.enum(FAILURE_REASONS)),
  items: z.array(orderLine),
  total: money,
  customer: z.object({ name: z.string(), email: z.string(), phone: z.optional(z.string()) }),
  shippingAddress: address,
  payment: z.optional(z.strictObject({ status: z.string(), brand: z.optional(z.string()), last4: z.optional(z.string()), nextAction: z.optional(nextAction) })),
  shipment: z.optional(z.strictObject({ trackingNumber: z.string(), trackingUrl: z.string() })),
  shipments: z.optional(z.array(shipment)),
  refunded: z.optional(money),
  timeline: z.array(timelineEntry),
  createdAt: isoTime,
  updatedAt: isoTime,
}));

/** A page of a list: `nextCursor` is null on the last page; pass it as `cursor` for the next. */
const pageOf = (id: string, item: $ZodType) => named(id, z.strictObject({ items: z.array(item as z.ZodMiniType), nextCursor: z.nullable(z.string()) }));
const listOf = (id: string, item: $ZodType) => named(id, z.strictObject({ items: z.array(item as z.ZodMiniType) }));

const adminOrderSummary = named('AdminOrderSummary', z.strictObject({
  id: z.string(),
  number: z.nullable(z.number().check(z.int())),
  status: z.enum(ORDER_STATUSES),
  failureReason: z.optional(z.enum(FAILURE_REASONS)),
  email: z.string(),
  name: z.string(),
  total: money,
  lines: z.number().check(z.int()),
  payment: z.nullable(z.strictObject({ status: z.string(), brand: z.optional(z.string()), last4: z.optional(z.string()) })),
  trackingNumber: z.nullable(z.string()),
  needsAttention: z.nullable(z.looseObject({ reason: z.string(), since: isoTime, kind: z.optional(z.string()) })),
  createdAt: isoTime,
  updatedAt: isoTime,
}));

const returnLine = z.strictObject({ sku: z.string(), quantity: z.number().check(z.int()), reason: z.optional(z.string()) });
const receivedLine = z.strictObject({ sku: z.string(), quantity: z.number().check(z.int()), disposition: z.enum(DISPOSITIONS) });
export const returnViewSchema = named('Return', z.strictObject({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(RETURN_STATUSES),
  items: z.array(returnLine),
  trackingNumber: z.optional(z.string()),
  trackingUrl: z.optional(z.string()),
  /** Once approved with a label: where the customer downloads it (GET …/returns/{returnId}/label). */
  labelUrl: z.optional(z.string()),
  rejectionReason: z.optional(z.string()),
  received: z.optional(z.array(receivedLine)),
  refund: z.optional(money),
  timeline: z.array(timelineEntry),
  createdAt: isoTime,
  updatedAt: isoTime,
}));
/** The admin's view of a return: the whole record (less storage keys), with `hasLabel`. */
const adminReturnSchema = named('AdminReturn', z.looseObject({ id: z.string(), orderId: z.string(), status: z.enum(RETURN_STATUSES), location: z.string(), hasLabel: z.boolean(), createdAt: isoTime, updatedAt: isoTime }));

export const subscriptionSchema = named('WebhookSubscription', z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum([...EVENT_TYPES, '*'])),
  active: z.boolean(),
  scope: z.enum(EVENT_SCOPES),
  health: z.enum(['ok', 'failing']),
  failingSince: z.optional(isoTime),
  secretRotations: z.array(z.strictObject({ expiresAt: z.optional(isoTime) })),
  createdAt: isoTime,
  updatedAt: isoTime,
}));
const withSecret = named('WebhookSubscriptionWithSecret', z.extend(subscriptionSchema, { secret: z.string().check(z.startsWith('whsec_')) }));
export const deliverySchema = named('WebhookDelivery', z.strictObject({
  eventId: z.string(),
  eventType: z.string(),
  sequence: z.number().check(z.int()),
  orderId: z.optional(z.string()),
  kind: z.enum(['delivery', 'replay']),
  state: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
  attemptCount: z.number().check(z.int()),
  attempts: z.array(z.strictObject({ at: isoTime, status: z.optional(z.number().check(z.int())), latencyMs: z.number(), error: z.optional(z.string()) })),
  nextAttemptAt: z.optional(isoTime),
  deliveredAt: z.optional(isoTime),
  createdAt: isoTime,
}));

// The schemas describe what the view functions return: a view whose output the schema does not accept, or
// that gains a field the schema does not name, fails to compile here.
type Describes<T extends U, U> = [Exclude<keyof T, keyof U>] extends [never] ? true : false;
export const viewsDescribed: [
  Describes<ReturnType<typeof customerView>, z.output<typeof orderViewSchema>>,
  Describes<ReturnType<typeof customerReturnView>, z.output<typeof returnViewSchema>>,
  Describes<ReturnType<typeof subscriptionView>, z.output<typeof subscriptionSchema>>,
  Describes<ReturnType<typeof deliveryView>, z.output<typeof deliverySchema>>,
] = [true, true, true, true];

const json = (status: number, description: string, schema?: $ZodType): SuccessResponse => ({ status, description, ...(schema ? { schema } : {}) });
const file = (description: string, mediaType: string): SuccessResponse => ({ status: 200, description, mediaType });
const noContent = (description: string): SuccessResponse => ({ status: 204, description });
const label = file('The label (`format=pdf`, the default, or `zpl`), or a redirect to it.', 'application/pdf');

export const SUCCESS_RESPONSES: Record<string, SuccessResponse> = {
  Health: json(200, 'The service is up.'),
  ListProducts: json(200, 'A page of active products.'),
  GetProduct: json(200, 'The product.'),
  GetTracking: file('The public tracking page.', 'text/html'),
  GetOpenApi: json(200, 'This document.'),
  PlaceOrder: json(202, 'The order, accepted (the workflow runs next); `Location` names it.', orderViewSchema),
  ListMyOrders: json(200, "A page of the caller's orders, newest first.", pageOf('OrderPage', orderViewSchema)),
  GetMyOrder: json(200, 'The order.', orderViewSchema),
  CancelMyOrder: json(200, 'The cancelled order.', orderViewSchema),
  RequestReturn: json(201, 'The return, requested.', returnViewSchema),
  GetMyReturnLabel: label,
  ListMyReturns: json(200, "The order's returns, oldest first.", listOf('ReturnList', returnViewSchema)),
  AdminListProducts: json(200, 'A page of products.'),
  AdminCreateProduct: json(201, 'The product.'),
  AdminGetProduct: json(200, 'The product with its stock.'),
  AdminUpdateProduct: json(200, 'The product.'),
  AdminDeleteProduct: { ...noContent('Deleted.'), alternative: json(200, 'Deactivated instead: open orders still hold its stock.') },
  AdminListInventory: json(200, 'A page of stock levels.'),
  AdminListAdjustments: json(200, "A page of the SKU's adjustments."),
  AdminListMovements: json(200, "A page of the SKU's ledger movements."),
  AdminAdjustInventory: json(200, 'The stock after the adjustment.'),
  AdminTransferStock: json(200, 'The stock of both locations after the transfer.'),
  AdminListLocations: json(200, 'Every location.'),
  AdminCreateLocation: json(201, 'The location.'),
  AdminUpdateLocation: json(200, 'The location.'),
  AdminListAlerts: json(200, 'A page of low-stock alerts.'),
  AdminOverview: json(200, 'The dashboard overview.'),
  AdminListOrders: json(200, 'A page of matching orders, newest first.', pageOf('AdminOrderSummaryPage', adminOrderSummary)),
  AdminExportOrders: file('The matching orders as CSV.', 'text/csv'),
  AdminGetOrder: json(200, 'The whole order: record, payment, shipments, returns, notifications.'),
  AdminCancelOrder: json(200, 'The cancelled order.'),
  AdminRefundOrder: json(200, 'The refund and the payment after it.'),
  AdminMarkDelivered: json(200, 'The delivered order.'),
  AdminMarkShipmentDelivered: json(200, 'The whole order with that shipment delivered.'),
  AdminGetLabel: label,
  AdminGetShipmentLabel: label,
  AdminListReturns: json(200, 'A page of returns.', pageOf('AdminReturnPage', adminReturnSchema)),
  AdminGetReturn: json(200, 'The return.', adminReturnSchema),
  AdminGetReturnLabel: label,
  AdminApproveReturn: json(200, 'The approved return.', adminReturnSchema),
  AdminRejectReturn: json(200, 'The rejected return.', adminReturnSchema),
  AdminReceiveReturn: json(200, 'The received return.', adminReturnSchema),
  AdminGetPackingSlip: file('The packing slip.', 'application/pdf'),
  AdminListPayments: json(200, 'A page of payments.'),
  AdminListDisputes: json(200, 'A page of disputes.'),
  AdminListAudit: json(200, 'A page of the audit log.'),
  AdminVerifyAudit: json(200, "The audit chain's verification."),
  AdminExportCustomer: json(200, "Everything stored about the customer."),
  AdminEraseCustomer: json(200, 'What was erased.'),
  AdminListOpsAlarms: json(200, 'The ops alarms and their state.'),
  SandboxPaymentActionPage: file('The sandbox 3-D Secure page.', 'text/html'),
  SandboxPaymentAction: json(200, 'The outcome of the sandbox 3-D Secure step.'),
  AdminListWebhooks: json(200, 'Every subscription (never its secret).', listOf('WebhookSubscriptionList', subscriptionSchema)),
  AdminCreateWebhook: json(201, 'The subscription with its signing secret: shown this once.', withSecret),
  AdminUpdateWebhook: json(200, 'The subscription.', subscriptionSchema),
  AdminDeleteWebhook: noContent('Deleted; pending deliveries are cancelled.'),
  AdminRotateWebhookSecret: json(200, 'The subscription with its new secret: shown this once.', withSecret),
  AdminListWebhookDeliveries: json(200, 'A page of the delivery log, newest first.', pageOf('WebhookDeliveryPage', deliverySchema)),
  AdminReplayWebhook: json(202, 'The events that will be delivered again.', named('WebhookReplay', z.strictObject({ replayId: z.string(), events: z.array(z.string()) }))),
  StripeWebhook: json(200, 'Received.'),
  CarrierWebhook: json(200, 'Received.'),
};
