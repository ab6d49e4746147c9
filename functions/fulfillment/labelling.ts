import { renderLabelPdf, renderLabelZpl } from './label';
import { selfShipCarrier } from './self-ship-carrier';
import { createFulfillmentService, type FulfillmentDeps, type FulfillmentService } from './service';
import type { Order } from '../domain/order';
import type { ShipmentPlan } from '../domain/shipments';

/**
 * The fulfillment service of the label step: the one module that brings in the label renderer (pdf-lib,
 * bwip-js), so only the function that renders labels carries them. Everything else uses `fulfillment()`
 * from ./service, whose carrier parses webhooks but renders nothing.
 */
export const labelRenderer = { renderLabelPdf, renderLabelZpl };

/** A fulfillment service whose self-ship carrier renders labels (tests pass their own storage or clock). */
export function createLabellingService(deps: Omit<FulfillmentDeps, 'carrier'> = {}): FulfillmentService {
  return createFulfillmentService({ ...deps, carrier: selfShipCarrier({ labels: labelRenderer, now: deps.now }) });
}

let defaultService: FulfillmentService | undefined;
export function labellingFulfillment(): FulfillmentService {
  defaultService ??= createLabellingService();
  return defaultService;
}

/** Entry point of functions/workflow/create-label.ts: creates the shipment and stores its labels, idempotently. */
export const createShipmentForOrder = (order: Order, plan?: ShipmentPlan) => labellingFulfillment().createShipmentForOrder(order, plan);
