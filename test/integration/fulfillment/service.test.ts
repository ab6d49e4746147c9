import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '../../../functions/adapters/keys';
import { orderStore } from '../../../functions/adapters/order-store';
import { nextTrackingSerial } from '../../../functions/adapters/fulfillment/tracking-serial';
import { isValidTrackingNumber, parseTrackingNumber } from '../../../functions/domain/tracking';
import { labelStorage } from '../../../functions/fulfillment/label-stores';
import { createLabellingService, createShipmentForOrder } from '../../../functions/fulfillment/labelling';
import {
  markDelivered,
  OrderNotShipped,
  recordTrackingEvent,
} from '../../../functions/fulfillment/service';
import { counterValue, createOrderIn, getItem, PII, snapshot, useFulfillmentEnv } from './support';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();
const env = useFulfillmentEnv();

describe('tracking serial counter', () => {
  it('hands out distinct serials to 100 concurrent callers from leased blocks: one counter write per block', async () => {
    const before = await counterValue();
    const serials = await Promise.all(Array.from({ length: 100 }, () => nextTrackingSerial()));
    expect(new Set(serials).size).toBe(100);
    // Blocks of 50 (TRACKING_SERIAL_BLOCK): the counter moved by whole blocks, two or three leases (one may
    // be left over from an earlier test), never once per serial.
    const after = await counterValue();
    expect((after - before) % 50).toBe(0);
    expect(after - before).toBeLessThanOrEqual(100);
    for (const serial of serials) expect(serial).toBeLessThanOrEqual(after);
  });

  it('never hands out a serial twice across blocks and concurrent leases', async () => {
    const seen = await Promise.all(Array.from({ length: 260 }, () => nextTrackingSerial()));
    expect(new Set(seen).size).toBe(260);
  });
});

describe('createShipmentForOrder', () => {
  it('allocates an S10 number, stores both labels and writes the shipment and a PII-free tracking record', async () => {
    const order = await createOrderIn('PAID');
    const summary = await createShipmentForOrder(order);

    expect(isValidTrackingNumber(summary.trackingNumber)).toBe(true);
    expect(parseTrackingNumber(summary.trackingNumber)).toMatchObject({ serviceIndicator: 'CP', country: 'US' });
    expect(summary).toMatchObject({
      trackingUrl: `http://localhost:3000/tracking/${summary.trackingNumber}`,
      carrier: 'Self-ship',
      service: 'Self-ship Standard',
      labelKey: `labels/${order.id}/${summary.trackingNumber}.pdf`,
    });

    const shipment = await getItem(keys.shipment(order.id));
    expect(shipment).toMatchObject({
      entity: 'SHIPMENT',
      orderId: order.id,
      state: 'CREATED',
      trackingNumber: summary.trackingNumber,
      trackingUrl: summary.trackingUrl,
      labelKeys: { pdf: `labels/${order.id}/${summary.trackingNumber}.pdf`, zpl: `labels/${order.id}/${summary.trackingNumber}.zpl` },
    });

    const tracking = await getItem(keys.tracking(summary.trackingNumber));
    expect(tracking).toMatchObject({ entity: 'TRACKING', orderId: order.id, status: 'LABEL_CREATED' });
    expect(tracking!.events).toEqual([{ at: expect.any(String), status: 'LABEL_CREATED', description: 'Shipping label created' }]);
    const trackingJson = JSON.stringify(tracking);
    for (const value of Object.values(PII)) expect(trackingJson).not.toContain(value);

    const pdf = readFileSync(join(env.dataDir(), 'labels', order.id, `${summary.trackingNumber}.pdf`));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const zpl = readFileSync(join(env.dataDir(), 'labels', order.id, `${summary.trackingNumber}.zpl`), 'utf8');
    expect(zpl).toContain(`^FD${summary.trackingNumber}^FS`);
    expect(zpl).toContain(PII.line1);
  });

  it('is idempotent: a retried step returns the same shipment and allocates nothing', async () => {
    const order = await createOrderIn('PAID');
    const first = await createShipmentForOrder(order);
    const counter = await counterValue();
    const again = await createShipmentForOrder(order);
    expect(again).toEqual(first);
    expect(await counterValue()).toBe(counter);
  });

  it('gives concurrent attempts for one order one tracking number', async () => {
    const order = await createOrderIn('PAID');
    const results = await Promise.all(Array.from({ length: 6 }, () => createShipmentForOrder(order)));
    expect(new Set(results.map((r) => r.trackingNumber)).size).toBe(1);
    const trackingItems = (await snapshot()).filter((i) => i.entity === 'TRACKING' && i.orderId === order.id);
    expect(trackingItems).toHaveLength(1);
  });

  it('reuses the claimed tracking number after a crash between claim and completion', async () => {
    const order = await createOrderIn('PAID');
    let failPut = true;
    const flaky = createLabellingService({
      storage: () => {
        const real = labelStorage();
        return {
          ...real,
          put: async (...args: Parameters<typeof real.put>) => {
            if (failPut) throw new Error('S3 unavailable');
            return real.put(...args);
          },
        };
      },
    });
    await expect(flaky.createShipmentForOrder(order)).rejects.toThrow('S3 unavailable');
    const claimed = await getItem(keys.shipment(order.id));
    expect(claimed).toMatchObject({ state: 'PENDING' });
    const counter = await counterValue();

    failPut = false;
    const summary = await flaky.createShipmentForOrder(order);
    expect(summary.trackingNumber).toBe(claimed!.trackingNumber);
    expect(await counterValue()).toBe(counter);
    expect(existsSync(join(env.dataDir(), 'labels', order.id, `${summary.trackingNumber}.pdf`))).toBe(true);
  });
});

/** A SHIPPED order the way the workflow leaves it: label created, order shipped, SHIPPED event recorded. */
async function shippedOrder() {
  const order = await createOrderIn('LABELLED');
  const shipment = await createShipmentForOrder(order);
  const shippedAt = new Date().toISOString();
  await orderStore.transition(order.id, 'SHIPPED', { actor: 'test', reason: 'shipped' }, { set: { shipment: { ...shipment, shippedAt } } });
  await recordTrackingEvent(shipment.trackingNumber, { at: shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' });
  return { order, shipment };
}

describe('recordTrackingEvent', () => {
  it('records SHIPPED once however often the ship step retries', async () => {
    const { shipment } = await shippedOrder();
    const retry = await recordTrackingEvent(shipment.trackingNumber, { at: new Date().toISOString(), status: 'SHIPPED' });
    expect(retry.duplicate).toBe(true);
    const tracking = await getItem(keys.tracking(shipment.trackingNumber));
    expect(tracking!.status).toBe('SHIPPED');
    expect(tracking!.events.map((e: { status: string }) => e.status)).toEqual(['LABEL_CREATED', 'SHIPPED']);
  });

  it('keeps every concurrent scan (optimistic retries, no lost update)', async () => {
    const { shipment } = await shippedOrder();
    const base = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        recordTrackingEvent(shipment.trackingNumber, { at: new Date(base + i * 1000).toISOString(), status: 'IN_TRANSIT', description: `Hub ${i}` }),
      ),
    );
    const tracking = await getItem(keys.tracking(shipment.trackingNumber));
    expect(tracking!.events.filter((e: { status: string }) => e.status === 'IN_TRANSIT')).toHaveLength(8);
    expect(tracking!.version).toBe(1 + 1 + 8);
  });
});

describe('markDelivered', () => {
  it('moves SHIPPED → DELIVERED with the tracking record in one go', async () => {
    const { order, shipment } = await shippedOrder();
    const at = new Date().toISOString();
    const delivered = await markDelivered(order.id, { actor: 'admin@example.com', reason: 'Customer confirmed', at });
    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.shipment).toMatchObject({ trackingNumber: shipment.trackingNumber, deliveredAt: at, shippedAt: expect.any(String) });
    expect(delivered.timeline.at(-1)).toMatchObject({ status: 'DELIVERED', actor: 'admin@example.com', reason: 'Customer confirmed' });
    const tracking = await getItem(keys.tracking(shipment.trackingNumber));
    expect(tracking!.status).toBe('DELIVERED');
    expect(tracking!.events.at(-1)).toMatchObject({ at, status: 'DELIVERED' });
  });

  it.each(['LABELLED', 'DELIVERED', 'CANCELLED'] as const)('refuses a %s order and changes nothing', async (status) => {
    const order = await createOrderIn(status);
    const before = await snapshot();
    await expect(markDelivered(order.id, { actor: 'x', reason: 'y', at: new Date().toISOString() })).rejects.toBeInstanceOf(OrderNotShipped);
    expect(await snapshot()).toEqual(before);
  });

  it('lets exactly one of two racing deliveries win', async () => {
    const { order } = await shippedOrder();
    const results = await Promise.allSettled([
      markDelivered(order.id, { actor: 'a', reason: 'a', at: new Date().toISOString() }),
      markDelivered(order.id, { actor: 'b', reason: 'b', at: new Date().toISOString() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(OrderNotShipped);
    const final = await orderStore.get(order.id);
    expect(final!.timeline.filter((e) => e.status === 'DELIVERED')).toHaveLength(1);
  });
});
