import { randomBytes } from 'node:crypto';
import { unprocessable } from '../commons/problem';
import { config } from '../commons/config';
import { logger } from '../commons/powertools';
import { ReturnLimitExceeded, ReturnStateConflict, returnsStore } from '../adapters/returns-store';
import type { TransactItem } from '../adapters/fulfillment/shipment-store';
import { addressLines } from '../domain/address';
import type { ReturnRecord, ReturnStatus } from '../domain/returns';
import { assignReturn, returnableUnits, returnCounterKey } from '../domain/shipments';
import { trackingEventKey, type TrackingEvent } from '../domain/tracking';
import { labelContentTypes, labelKey } from '../fulfillment/label-storage';
import { labelStorage } from '../fulfillment/label-stores';
import { allocateTrackingNumber, SELF_SHIP_CARRIER, SELF_SHIP_SERVICE } from '../fulfillment/self-ship-carrier';
import { fulfillmentSettings } from '../fulfillment/settings';
import { locationStore } from '../adapters/location-store';
import type { LabelContent } from '../fulfillment/label';
import { orderOf, returnOf, settledOr, stateConflict } from './records';

/**
 * Returns (SPEC.md "Returns"), human-paced steps each one conditional transaction (docs/decisions.md
 * 2026-12-02: no second state machine): request, list, approve, reject. Receiving, the one step with several
 * effects (restock, refund), is in receive.ts, so only its route bundles the payments service.
 */

export interface LabelRendering {
  renderLabelPdf(content: LabelContent): Promise<Uint8Array>;
  renderLabelZpl(content: LabelContent): string;
}

/** POST /orders/{id}/returns: within the window, never more than delivered minus what returns already hold. */
export async function requestReturn(
  orderId: string,
  userId: string,
  items: { sku: string; quantity: number; reason?: string }[],
  now = new Date(),
): Promise<ReturnRecord> {
  const order = await orderOf(orderId, (o) => o.userId === userId);
  const windowDays = config.returnWindowDays();
  const counts = await returnsStore.counts(orderId);
  const units = returnableUnits(order, counts, now, windowDays);
  if (!units.length) {
    throw unprocessable('return-not-allowed', `Nothing of order ${orderId} can be returned: returns are accepted within ${windowDays} days of delivery.`);
  }
  const assigned = assignReturn(units, items);
  if ('error' in assigned) {
    if (assigned.error === 'locations') throw unprocessable('return-spans-locations', 'These items came from different locations: ask for one return per shipment.');
    throw exceeds(assigned.sku ? [assigned.sku] : items.map((i) => i.sku), items);
  }
  const at = now.toISOString();
  const id = `${orderId}-R${randomBytes(4).toString('hex').toUpperCase()}`;
  const reasons = new Map(items.map((i) => [i.sku, i.reason]));
  const record: ReturnRecord = {
    id,
    orderId,
    userId,
    status: 'REQUESTED',
    location: assigned[0]!.location,
    items: assigned.map((a) => ({ sku: a.sku, quantity: a.quantity, shipmentId: a.shipmentId, ...(reasons.get(a.sku) ? { reason: reasons.get(a.sku) } : {}) })),
    timeline: [{ at, status: 'REQUESTED', actor: `customer:${userId}`, reason: 'Return requested' }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const limits = Object.fromEntries(units.map((u) => [returnCounterKey(u.shipmentId, u.sku), u.delivered]));
  try {
    await returnsStore.create(record, limits, order.status);
  } catch (error) {
    // Another request took the units meanwhile: the conditions refused this one.
    if (error instanceof ReturnLimitExceeded) throw exceeds(error.skus, items);
    throw error;
  }
  logger.info('Return requested', { orderId, returnId: id });
  return record;
}

const exceeds = (skus: string[], items: { sku: string }[]) =>
  unprocessable(
    'return-exceeds-shipped',
    `More units of ${skus.join(', ')} than were delivered and not yet returned.`,
    skus.map((sku) => ({ path: `items.${Math.max(0, items.findIndex((i) => i.sku === sku))}.quantity`, message: 'exceeds what can still be returned' })),
  );

export async function listOrderReturns(orderId: string, userId: string): Promise<ReturnRecord[]> {
  await orderOf(orderId, (o) => o.userId === userId);
  return returnsStore.listByOrder(orderId);
}

export const getReturn = returnOf;
export const listReturns = (status: ReturnStatus | undefined, limit: number, cursor?: string) => returnsStore.list(status, limit, cursor);

/**
 * Approve: a return label from the customer to the location. The tracking number is claimed on the return
 * first, so a retried approval re-renders the same label; the APPROVED change and the tracking record (which
 * routes the carrier's DELIVERED to this return) are one transaction.
 */
export async function approveReturn(id: string, actor: string, renderer: LabelRendering): Promise<ReturnRecord> {
  const r = await returnOf(id);
  if (r.status === 'APPROVED') return r;
  if (r.status !== 'REQUESTED') throw stateConflict(r, 'approved');
  const order = await orderOf(r.orderId, () => true);
  let trackingNumber: string;
  try {
    trackingNumber = r.trackingNumber ?? (await returnsStore.claimTrackingNumber(r, await allocateTrackingNumber()));
  } catch (error) {
    if (error instanceof ReturnStateConflict) return settledOr(error.current, 'APPROVED', 'approved');
    throw error;
  }
  const at = new Date().toISOString();
  const sender = fulfillmentSettings.sender();
  // To the location the units came from: its address when it has one (free text, a line per line or
  // comma), else the shop's sender address with the location named.
  const location = await locationStore.get(r.location);
  const recipient = location?.address
    ? { name: location.name, lines: location.address.split(/\n|,\s*/).map((l) => l.trim()).filter(Boolean) }
    : { name: `${sender.name} (${r.location})`, lines: sender.lines };
  const content: LabelContent = {
    trackingNumber,
    orderId: order.id,
    ...(order.number !== undefined ? { orderNumber: order.number } : {}),
    carrier: SELF_SHIP_CARRIER,
    service: `${SELF_SHIP_SERVICE} return`,
    sender: { name: order.shippingAddress.name ?? order.customer.name, lines: addressLines(order.shippingAddress) },
    recipient,
    createdAt: at,
  };
  const labelKeys = { pdf: labelKey(order.id, trackingNumber, 'pdf'), zpl: labelKey(order.id, trackingNumber, 'zpl') };
  const storage = labelStorage();
  await storage.put(labelKeys.pdf, await renderer.renderLabelPdf(content), labelContentTypes.pdf);
  await storage.put(labelKeys.zpl, renderer.renderLabelZpl(content), labelContentTypes.zpl);

  const first: TrackingEvent = { at, status: 'LABEL_CREATED', description: 'Return label created' };
  const tracking: TransactItem = {
    Put: {
      TableName: config.tableName(),
      Item: {
        pk: `TRACKING#${trackingNumber}`,
        sk: 'TRACKING',
        entity: 'TRACKING',
        trackingNumber,
        orderId: order.id,
        returnId: r.id,
        status: 'LABEL_CREATED',
        events: [first],
        eventKeys: [trackingEventKey(first)],
        version: 1,
        createdAt: at,
        updatedAt: at,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  try {
    return await returnsStore.transition(r, {
      from: 'REQUESTED',
      to: 'APPROVED',
      at,
      actor,
      reason: `Approved; return label ${trackingNumber}`,
      orderStatus: order.status,
      set: { trackingNumber, trackingUrl: fulfillmentSettings.trackingUrl(trackingNumber), labelKeys },
      extra: [tracking],
    });
  } catch (error) {
    if (error instanceof ReturnStateConflict) return settledOr(error.current, 'APPROVED', 'approved');
    throw error;
  }
}

export async function rejectReturn(id: string, actor: string, reason: string): Promise<ReturnRecord> {
  const r = await returnOf(id);
  if (r.status === 'REJECTED') return r;
  if (r.status !== 'REQUESTED') throw stateConflict(r, 'rejected');
  const order = await orderOf(r.orderId, () => true);
  try {
    return await returnsStore.transition(r, {
      from: 'REQUESTED',
      to: 'REJECTED',
      at: new Date().toISOString(),
      actor,
      reason: `Rejected: ${reason}`,
      orderStatus: order.status,
      set: { rejectionReason: reason },
      release: r.items,
    });
  } catch (error) {
    if (error instanceof ReturnStateConflict) return settledOr(error.current, 'REJECTED', 'rejected');
    throw error;
  }
}
