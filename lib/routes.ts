/**
 * The one route table. CDK builds the HTTP API from it (lib/constructs/http-api.ts) and the local gateway serves from it
 * (local/gateway.ts); test/infra/routes.test.ts proves both expose the same routes with the same auth.
 *
 * `entry` is the handler module (exporting `handler`) relative to the repository root.
 * `auth`: public (no authorizer), customer (any signed-in user), admin (Cognito group `admin`).
 * Webhooks are public at the gateway and verify their own signatures.
 */
export type RouteAuth = 'public' | 'customer' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface Route {
  /** Stable id, also the Lambda's construct id: PascalCase. */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: /orders/{id} */
  readonly path: string;
  readonly entry: string;
  readonly auth: RouteAuth;
  /**
   * Extra permissions the handler needs, beyond reading/writing the main table (least privilege).
   * `pdf`: renders PDFs, so its bundle gets the font files beside it (and the label sender settings).
   * `cursors`: pages a list, so it gets the key that signs the list's cursors.
   * `addresses`: formats postal addresses (functions/domain/address.ts), so the formatter ships beside its
   *   bundle and loads on first use.
   * `openapi`: serves the OpenAPI document, which ships beside its bundle as a file.
   */
  readonly needs?: readonly ('workflow' | 'workflowStatus' | 'alerts' | 'labels' | 'payments' | 'idempotency' | 'carrierSecret' | 'stripeWebhookSecret' | 'email' | 'pdf' | 'cursors' | 'opsAlarms' | 'eventBus' | 'addresses' | 'openapi')[];
  /**
   * Partition-key prefixes of the main table the handler's code paths touch. When given, the function may
   * touch only items whose `pk` starts with one of them (IAM `dynamodb:LeadingKeys`), and no index;
   * test/integration/fulfillment/carrier-webhook-grants.test.ts and
   * test/integration/payments/stripe-webhook-grants.test.ts prove the lists against the code paths.
   */
  readonly tableKeys?: readonly string[];
}

const api = (file: string) => `functions/api/${file}.ts`;

export const routes: readonly Route[] = [
  // Public
  { name: 'Health', method: 'GET', path: '/health', entry: api('health'), auth: 'public' },
  { name: 'ListProducts', method: 'GET', path: '/products', entry: api('list-products'), auth: 'public', needs: ['cursors'] },
  { name: 'GetProduct', method: 'GET', path: '/products/{sku}', entry: api('get-product'), auth: 'public' },
  { name: 'GetTracking', method: 'GET', path: '/tracking/{trackingNumber}', entry: api('get-tracking'), auth: 'public' },
  { name: 'GetOpenApi', method: 'GET', path: '/openapi.json', entry: api('get-openapi'), auth: 'public', needs: ['openapi'] },

  // Customer
  { name: 'PlaceOrder', method: 'POST', path: '/orders', entry: api('place-order'), auth: 'customer' },
  { name: 'ListMyOrders', method: 'GET', path: '/orders', entry: api('list-my-orders'), auth: 'customer', needs: ['cursors'] },
  { name: 'GetMyOrder', method: 'GET', path: '/orders/{id}', entry: api('get-my-order'), auth: 'customer' },
  { name: 'CancelMyOrder', method: 'POST', path: '/orders/{id}/cancel', entry: api('cancel-my-order'), auth: 'customer', needs: ['payments'] },
  { name: 'RequestReturn', method: 'POST', path: '/orders/{id}/returns', entry: api('request-return'), auth: 'customer', needs: ['addresses'] },
  { name: 'ListMyReturns', method: 'GET', path: '/orders/{id}/returns', entry: api('list-my-returns'), auth: 'customer', needs: ['addresses'] },
  { name: 'GetMyReturnLabel', method: 'GET', path: '/orders/{id}/returns/{returnId}/label', entry: api('get-my-return-label'), auth: 'customer', needs: ['labels'] },

  // Admin: products and inventory
  { name: 'AdminListProducts', method: 'GET', path: '/admin/products', entry: api('admin-list-products'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminCreateProduct', method: 'POST', path: '/admin/products', entry: api('admin-create-product'), auth: 'admin' },
  { name: 'AdminGetProduct', method: 'GET', path: '/admin/products/{sku}', entry: api('admin-get-product'), auth: 'admin' },
  { name: 'AdminUpdateProduct', method: 'PATCH', path: '/admin/products/{sku}', entry: api('admin-update-product'), auth: 'admin', needs: ['alerts'] },
  { name: 'AdminDeleteProduct', method: 'DELETE', path: '/admin/products/{sku}', entry: api('admin-delete-product'), auth: 'admin' },
  { name: 'AdminListInventory', method: 'GET', path: '/admin/inventory', entry: api('admin-list-inventory'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminListAdjustments', method: 'GET', path: '/admin/inventory/{sku}/adjustments', entry: api('admin-list-adjustments'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminListMovements', method: 'GET', path: '/admin/inventory/{sku}/movements', entry: api('admin-list-movements'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminAdjustInventory', method: 'POST', path: '/admin/inventory/{sku}/adjustments', entry: api('admin-adjust-inventory'), auth: 'admin', needs: ['alerts'] },
  { name: 'AdminTransferStock', method: 'POST', path: '/admin/inventory/transfers', entry: api('admin-transfer-stock'), auth: 'admin', needs: ['alerts'] },
  { name: 'AdminListLocations', method: 'GET', path: '/admin/locations', entry: api('admin-list-locations'), auth: 'admin' },
  { name: 'AdminCreateLocation', method: 'POST', path: '/admin/locations', entry: api('admin-create-location'), auth: 'admin' },
  { name: 'AdminUpdateLocation', method: 'PATCH', path: '/admin/locations/{id}', entry: api('admin-update-location'), auth: 'admin' },
  { name: 'AdminListAlerts', method: 'GET', path: '/admin/alerts', entry: api('admin-list-alerts'), auth: 'admin', needs: ['cursors'] },

  // Admin: orders, payments, shipments
  { name: 'AdminOverview', method: 'GET', path: '/admin/overview', entry: api('admin-overview'), auth: 'admin' },
  { name: 'AdminListOrders', method: 'GET', path: '/admin/orders', entry: api('admin-list-orders'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminExportOrders', method: 'GET', path: '/admin/orders/export', entry: api('admin-export-orders'), auth: 'admin' },
  { name: 'AdminGetOrder', method: 'GET', path: '/admin/orders/{id}', entry: api('admin-get-order'), auth: 'admin', needs: ['addresses'] },
  { name: 'AdminCancelOrder', method: 'POST', path: '/admin/orders/{id}/cancel', entry: api('admin-cancel-order'), auth: 'admin', needs: ['payments', 'addresses'] },
  { name: 'AdminRefundOrder', method: 'POST', path: '/admin/orders/{id}/refund', entry: api('admin-refund-order'), auth: 'admin', needs: ['payments'] },
  { name: 'AdminMarkDelivered', method: 'POST', path: '/admin/orders/{id}/delivered', entry: api('admin-mark-delivered'), auth: 'admin', needs: ['addresses'] },
  { name: 'AdminMarkShipmentDelivered', method: 'POST', path: '/admin/orders/{id}/shipments/{shipmentId}/delivered', entry: api('admin-mark-delivered'), auth: 'admin', needs: ['addresses'] },
  { name: 'AdminGetLabel', method: 'GET', path: '/admin/orders/{id}/label', entry: api('admin-get-label'), auth: 'admin', needs: ['labels', 'addresses'] },
  { name: 'AdminGetShipmentLabel', method: 'GET', path: '/admin/orders/{id}/shipments/{shipmentId}/label', entry: api('admin-get-label'), auth: 'admin', needs: ['labels', 'addresses'] },

  // Returns (SPEC.md "Returns")
  { name: 'AdminListReturns', method: 'GET', path: '/admin/returns', entry: api('admin-list-returns'), auth: 'admin', needs: ['cursors', 'addresses'] },
  { name: 'AdminGetReturn', method: 'GET', path: '/admin/returns/{id}', entry: api('admin-get-return'), auth: 'admin', needs: ['addresses'] },
  { name: 'AdminGetReturnLabel', method: 'GET', path: '/admin/returns/{id}/label', entry: api('admin-get-return-label'), auth: 'admin', needs: ['labels', 'addresses'] },
  { name: 'AdminApproveReturn', method: 'POST', path: '/admin/returns/{id}/approve', entry: api('admin-approve-return'), auth: 'admin', needs: ['labels', 'pdf', 'addresses'] },
  { name: 'AdminRejectReturn', method: 'POST', path: '/admin/returns/{id}/reject', entry: api('admin-reject-return'), auth: 'admin', needs: ['addresses'] },
  { name: 'AdminReceiveReturn', method: 'POST', path: '/admin/returns/{id}/receive', entry: api('admin-receive-return'), auth: 'admin', needs: ['payments'] },
  { name: 'AdminGetPackingSlip', method: 'GET', path: '/admin/orders/{id}/packing-slip', entry: api('admin-get-packing-slip'), auth: 'admin', needs: ['pdf', 'addresses'] },
  { name: 'AdminListPayments', method: 'GET', path: '/admin/payments', entry: api('admin-list-payments'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminListDisputes', method: 'GET', path: '/admin/disputes', entry: api('admin-list-disputes'), auth: 'admin', needs: ['cursors'] },

  // Admin: personal data and the audit log (SPEC.md "Personal data and audit")
  { name: 'AdminListAudit', method: 'GET', path: '/admin/audit', entry: api('admin-list-audit'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminVerifyAudit', method: 'GET', path: '/admin/audit/verify', entry: api('admin-verify-audit'), auth: 'admin' },
  { name: 'AdminExportCustomer', method: 'GET', path: '/admin/customers/{userId}/export', entry: api('admin-export-customer'), auth: 'admin' },
  { name: 'AdminEraseCustomer', method: 'POST', path: '/admin/customers/{userId}/erase', entry: api('admin-erase-customer'), auth: 'admin', needs: ['idempotency'] },

  // Admin: operations
  { name: 'AdminListOpsAlarms', method: 'GET', path: '/admin/ops/alarms', entry: api('admin-list-ops-alarms'), auth: 'admin', needs: ['opsAlarms'] },

  // Sandbox payments (no Stripe key configured): the 3-D Secure page the customer is sent to. Public: the
  // intent id in the path is an unguessable hash, and only sandbox intents answer.
  { name: 'SandboxPaymentActionPage', method: 'GET', path: '/sandbox/payments/{intentId}', entry: api('sandbox-payment-action-page'), auth: 'public', tableKeys: ['SANDBOX#'] },
  { name: 'SandboxPaymentAction', method: 'POST', path: '/sandbox/payments/{intentId}', entry: api('sandbox-payment-action'), auth: 'public', needs: ['payments'], tableKeys: ['ORDER#', 'PAYMENT_INTENT#', 'WEBHOOK#stripe#', 'SANDBOX#'] },

  // Admin: webhooks for integrators (SPEC.md "Events for integrators")
  { name: 'AdminListWebhooks', method: 'GET', path: '/admin/webhooks', entry: api('admin-list-webhooks'), auth: 'admin' },
  { name: 'AdminCreateWebhook', method: 'POST', path: '/admin/webhooks', entry: api('admin-create-webhook'), auth: 'admin' },
  { name: 'AdminUpdateWebhook', method: 'PATCH', path: '/admin/webhooks/{id}', entry: api('admin-update-webhook'), auth: 'admin' },
  { name: 'AdminDeleteWebhook', method: 'DELETE', path: '/admin/webhooks/{id}', entry: api('admin-delete-webhook'), auth: 'admin' },
  { name: 'AdminRotateWebhookSecret', method: 'POST', path: '/admin/webhooks/{id}/rotate-secret', entry: api('admin-rotate-webhook-secret'), auth: 'admin' },
  { name: 'AdminListWebhookDeliveries', method: 'GET', path: '/admin/webhooks/{id}/deliveries', entry: api('admin-list-webhook-deliveries'), auth: 'admin', needs: ['cursors'] },
  { name: 'AdminReplayWebhook', method: 'POST', path: '/admin/webhooks/{id}/replay', entry: api('admin-replay-webhook'), auth: 'admin' },

  // Webhooks: public at the gateway, signature-verified in the handler
  { name: 'StripeWebhook', method: 'POST', path: '/webhooks/stripe', entry: api('stripe-webhook'), auth: 'public', needs: ['stripeWebhookSecret', 'payments'], tableKeys: ['ORDER#', 'PAYMENT_INTENT#', 'WEBHOOK#stripe#', 'SANDBOX#'] },
  { name: 'CarrierWebhook', method: 'POST', path: '/webhooks/carrier', entry: api('carrier-webhook'), auth: 'public', needs: ['carrierSecret', 'addresses'], tableKeys: ['ORDER#', 'TRACKING#', 'WEBHOOK#carrier#'] },
];

/** Workflow task handlers: one Lambda each, referenced from the ASL file by `${<name>FunctionArn}`. */
export interface WorkflowTask {
  readonly name: string;
  readonly entry: string;
  readonly needs?: Route['needs'];
  /** Background functions only: another timeout than the workflow tasks' 60 s. */
  readonly timeoutSeconds?: number;
}
const step = (file: string) => `functions/workflow/${file}.ts`;
export const workflowTasks: readonly WorkflowTask[] = [
  { name: 'ReserveStock', entry: step('reserve-stock'), needs: ['alerts'] },
  { name: 'AuthorizePayment', entry: step('authorize-payment'), needs: ['payments'] },
  { name: 'CheckPaymentAction', entry: step('check-payment-action'), needs: ['payments'] },
  { name: 'CreateLabel', entry: step('create-label'), needs: ['labels', 'pdf', 'addresses'] },
  { name: 'ShipOrder', entry: step('ship-order'), needs: ['payments', 'addresses'] },
  { name: 'ShipmentFault', entry: step('shipment-fault') },
  { name: 'ReleaseStock', entry: step('release-stock') },
  { name: 'VoidPayment', entry: step('void-payment'), needs: ['payments'] },
  { name: 'FailOrder', entry: step('fail-order') },
  { name: 'FlagNeedsAttention', entry: step('flag-needs-attention') },
];

/**
 * Functions no route or state calls: the outbox consumer (fed by the main table's change stream) and the
 * reconciler (on a schedule). Local mode runs the same modules (local/stream-poller.ts, local/stack.ts).
 */
export const backgroundFunctions: readonly WorkflowTask[] = [
  { name: 'OutboxConsumer', entry: 'functions/stream/outbox-consumer.ts', needs: ['workflow', 'alerts', 'email', 'eventBus'] },
  { name: 'Reconciler', entry: 'functions/reconciler/handler.ts', needs: ['workflow', 'workflowStatus', 'alerts', 'email', 'payments'] },
  /** Delivers due webhooks (functions/webhooks/handler.ts): a schedule on AWS, local/stack.ts locally. */
  { name: 'WebhookDispatcher', entry: 'functions/webhooks/handler.ts', timeoutSeconds: 90 },
];
