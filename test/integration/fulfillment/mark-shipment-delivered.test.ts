import { orderStore } from '../../../functions/adapters/order-store';
import { AUDIT_PK } from '../../../functions/adapters/keys';
import { handler as adminMarkDelivered } from '../../../functions/api/admin-mark-delivered';
import type { Order, OrderShipment } from '../../../functions/domain/order';
import { admin, call, createOrderIn, customer, snapshot, useFulfillmentEnv } from './support';
import { useIsolatedTables } from '../../support/dynamo';

/**
 * POST /admin/orders/{id}/shipments/{shipmentId}/delivered (issue #16): one shipment of a split order by hand,
 * through the carrier webhook's per-shipment path. Against DynamoDB Local.
 */
useIsolatedTables();
useFulfillmentEnv();

const at = () => new Date().toISOString();
const line = (sku: string, quantity: number) => ({ sku, name: sku, quantity, unitPrice: { amount: 1000, currency: 'USD' }, lineTotal: { amount: 1000 * quantity, currency: 'USD' } });

/** A two-shipment order: S1 from MAIN, S2 from EAST, each in the given state. */
async function splitOrder(status: Order['status'], s1: OrderShipment['status'], s2: OrderShipment['status']): Promise<Order> {
  const shipped = (s: OrderShipment['status']) => (s === 'SHIPPED' || s === 'DELIVERED' ? { shippedAt: at() } : {});
  return createOrderIn(status, {
    items: [line('MUG-1', 2), line('LAMP-1', 1)],
    total: { amount: 3000, currency: 'USD' },
    shipments: [
      { id: 'S1', location: 'MAIN', lines: [{ sku: 'MUG-1', quantity: 2 }], status: s1, trackingNumber: 'CP000000015US', ...shipped(s1) },
      { id: 'S2', location: 'EAST', lines: [{ sku: 'LAMP-1', quantity: 1 }], status: s2, trackingNumber: 'CP000000029US', ...shipped(s2) },
    ],
  });
}

const deliveredCall = (id: string, shipmentId: string, body?: unknown, caller = admin) =>
  call(adminMarkDelivered, {
    method: 'POST',
    path: `/admin/orders/${id}/shipments/${shipmentId}/delivered`,
    pathParameters: { id, shipmentId },
    body: body === undefined ? undefined : JSON.stringify(body),
    caller,
  });

const auditEntries = async (orderId: string) => (await snapshot()).filter((i) => i.pk === AUDIT_PK && i.action === 'order.deliver' && i.target === `order:${orderId}`);
const deliveredEntries = (order: Order, shipmentId: string) => order.timeline.filter((t) => t.reason.endsWith(`(shipment ${shipmentId})`));

describe('POST /admin/orders/{id}/shipments/{shipmentId}/delivered', () => {
  it('delivers one shipment; the order is DELIVERED only when every shipment is', async () => {
    const order = await splitOrder('SHIPPED', 'SHIPPED', 'SHIPPED');
    const first = await deliveredCall(order.id, 'S2', { reason: 'Customer phoned: the lamp arrived' });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('SHIPPED');
    expect(first.body.shipments.map((s: any) => s.status)).toEqual(['SHIPPED', 'DELIVERED']);
    expect(first.body.timeline.at(-1)).toMatchObject({ status: 'SHIPPED', actor: `admin:${admin.username}`, reason: 'Customer phoned: the lamp arrived (shipment S2)' });

    const second = await deliveredCall(order.id, 'S1');
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('DELIVERED');
    expect(second.body.shipments.map((s: any) => s.status)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(second.body.timeline.at(-1)).toMatchObject({ status: 'DELIVERED', reason: 'Marked delivered by an administrator (shipment S1)' });
    expect(await auditEntries(order.id)).toEqual([
      expect.objectContaining({ target: `order:${order.id}`, details: expect.objectContaining({ shipmentId: 'S2' }) }),
      expect.objectContaining({ target: `order:${order.id}`, details: expect.objectContaining({ shipmentId: 'S1' }) }),
    ]);
  });

  it('exactly once: repeated and concurrent calls deliver the shipment once, one timeline entry, one audit entry', async () => {
    const order = await splitOrder('SHIPPED', 'SHIPPED', 'SHIPPED');
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliveredCall(order.id, 'S1')));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    const again = await deliveredCall(order.id, 'S1');
    expect(again.status).toBe(200);
    const stored = (await orderStore.get(order.id))!;
    expect(stored.shipments!.map((s) => s.status)).toEqual(['DELIVERED', 'SHIPPED']);
    expect(stored.status).toBe('SHIPPED');
    expect(deliveredEntries(stored, 'S1')).toHaveLength(1);
    expect(await auditEntries(order.id)).toHaveLength(1);
    // Once S2 follows, the order is delivered; repeating either changes nothing more.
    expect((await deliveredCall(order.id, 'S2')).body.status).toBe('DELIVERED');
    const before = await snapshot();
    expect((await deliveredCall(order.id, 'S2')).status).toBe(200);
    expect((await deliveredCall(order.id, 'S1')).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('409 problem+json for a shipment not handed to the carrier, and nothing changes', async () => {
    // S1 left, S2 is still being packed: the order is LABELLED.
    const order = await splitOrder('LABELLED', 'SHIPPED', 'LABELLED');
    const before = await snapshot();
    const res = await deliveredCall(order.id, 'S2');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.type).toContain('shipment-not-shipped');
    expect(await snapshot()).toEqual(before);
    // The shipment that left can be delivered meanwhile; the order stays LABELLED.
    const s1 = await deliveredCall(order.id, 'S1');
    expect(s1.status).toBe(200);
    expect(s1.body).toMatchObject({ status: 'LABELLED', shipments: [{ id: 'S1', status: 'DELIVERED' }, { id: 'S2', status: 'LABELLED' }] });
  });

  it('404 for an unknown order or shipment, 400 for a bad body, 403 for a customer — nothing changes', async () => {
    const order = await splitOrder('SHIPPED', 'SHIPPED', 'SHIPPED');
    const before = await snapshot();
    for (const [id, shipmentId] of [['no-such-order', 'S1'], [order.id, 'S3'], [order.id, 'S0'], [order.id, '../S1']]) {
      const res = await deliveredCall(id!, shipmentId!);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await deliveredCall(order.id, 'S1', { reason: 'x', extra: true })).status).toBe(400);
    expect((await deliveredCall(order.id, 'S1', { deliveredAt: new Date(Date.now() + 3600_000).toISOString() })).status).toBe(400);
    expect((await deliveredCall(order.id, 'S1', undefined, customer)).status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('an order from before split shipments: S1 is the whole order', async () => {
    const order = await createOrderIn('SHIPPED', { shipment: { trackingNumber: 'CP000000032US', trackingUrl: 'http://localhost:3000/tracking/CP000000032US', carrier: 'SELF', shippedAt: at() } as any });
    expect((await deliveredCall(order.id, 'S2')).status).toBe(404);
    const res = await deliveredCall(order.id, 'S1');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('DELIVERED');
    expect((await deliveredCall(order.id, 'S1')).status).toBe(200);
    expect((await orderStore.get(order.id))!.timeline.filter((t) => t.status === 'DELIVERED')).toHaveLength(1);
  });
});
