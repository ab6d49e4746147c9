import { PDFDocument } from 'pdf-lib';
import { keys } from '../../../functions/adapters/keys';
import { orderStore } from '../../../functions/adapters/order-store';
import { handler as getTracking } from '../../../functions/api/get-tracking';
import { handler as carrierWebhook } from '../../../functions/api/carrier-webhook';
import { handler as adminGetLabel } from '../../../functions/api/admin-get-label';
import { handler as adminMarkDelivered } from '../../../functions/api/admin-mark-delivered';
import { makeTrackingNumber } from '../../../functions/domain/tracking';
import { createShipmentForOrder } from '../../../functions/fulfillment/labelling';
import { recordTrackingEvent } from '../../../functions/fulfillment/service';
import { signPayload } from '../../../functions/fulfillment/webhook-signature';
import { admin, call, createOrderIn, customer, getItem, PII, snapshot, useFulfillmentEnv, webhookRequest } from './support';
import { useIsolatedTables } from '../../support/dynamo';

useIsolatedTables();
useFulfillmentEnv();

/** A SHIPPED order as the workflow leaves it. */
async function shippedOrder() {
  const order = await createOrderIn('LABELLED');
  const shipment = await createShipmentForOrder(order);
  const shippedAt = new Date().toISOString();
  await orderStore.transition(order.id, 'SHIPPED', { actor: 'step:ship-order', reason: 'shipped' }, { set: { shipment: { ...shipment, shippedAt } } });
  await recordTrackingEvent(shipment.trackingNumber, { at: shippedAt, status: 'SHIPPED', description: 'Handed to the carrier' });
  return { order, trackingNumber: shipment.trackingNumber };
}

const trackingCall = (trackingNumber: string) =>
  call(getTracking, { path: `/tracking/${trackingNumber}`, pathParameters: { trackingNumber } });

let eventSeq = 0;
const carrierEvent = (trackingNumber: string, status: string, over: Record<string, unknown> = {}) => ({
  eventId: `evt_${Date.now()}_${eventSeq++}`,
  trackingNumber,
  status,
  occurredAt: new Date().toISOString(),
  ...over,
});

describe('GET /tracking/{trackingNumber}', () => {
  it('returns status and events, and nothing personal', async () => {
    const { trackingNumber } = await shippedOrder();
    const res = await trackingCall(trackingNumber);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      trackingNumber,
      status: 'SHIPPED',
      events: [
        { at: expect.any(String), status: 'LABEL_CREATED', description: 'Shipping label created' },
        { at: expect.any(String), status: 'SHIPPED', description: 'Handed over for delivery' },
      ],
    });
    const text = JSON.stringify(res.body);
    for (const value of Object.values(PII)) expect(text).not.toContain(value);
    expect(text).not.toMatch(/orderId|email|phone|address|name/i);
  });

  it('shows the public wording of each status, never the free text a carrier or admin recorded', async () => {
    const { trackingNumber } = await shippedOrder();
    const { recordTrackingEvent } = await import('../../../functions/fulfillment/service');
    await recordTrackingEvent(trackingNumber, { at: new Date().toISOString(), status: 'OUT_FOR_DELIVERY', description: `Courier will call ${PII.phone} for ${PII.name}` });
    const res = await trackingCall(trackingNumber);
    expect(res.body.events.at(-1)).toMatchObject({ status: 'OUT_FOR_DELIVERY' });
    const text = JSON.stringify(res.body);
    for (const value of Object.values(PII)) expect(text).not.toContain(value);
  });

  it('answers a browser with a human page (same facts, no personal data) and programs with JSON', async () => {
    const { trackingNumber } = await shippedOrder();
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await call(getTracking, { path: `/tracking/${trackingNumber}`, pathParameters: { trackingNumber }, headers: { accept: browser } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.vary).toBe('Accept');
    const html = String(page.body);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`${trackingNumber.slice(0, 2)} ${trackingNumber.slice(2, 6)} ${trackingNumber.slice(6, 10)} ${trackingNumber.slice(10, 11)} ${trackingNumber.slice(11)}`);
    expect(html).toContain('data-status="SHIPPED"');
    expect(html).toContain('Handed over for delivery');
    expect(html).toMatch(/\d{2}:\d{2}:\d{2} UTC/); // seconds, and the zone said
    expect(html).not.toMatch(/<script/i);
    for (const value of Object.values(PII)) expect(html).not.toContain(value);
    for (const accept of [undefined, 'application/json', '*/*', 'application/json, text/html;q=0.5', 'text/html;q=0']) {
      const res = await call(getTracking, { path: `/tracking/${trackingNumber}`, pathParameters: { trackingNumber }, headers: accept ? { accept } : {} });
      expect({ accept, type: res.headers['content-type'] }).toEqual({ accept, type: 'application/json' });
      expect(res.body.trackingNumber).toBe(trackingNumber);
    }
  });

  it('accepts the number as printed (spaces, lower case)', async () => {
    const { trackingNumber } = await shippedOrder();
    const printed = `${trackingNumber.slice(0, 2)} ${trackingNumber.slice(2, 6)} ${trackingNumber.slice(6, 10)} ${trackingNumber.slice(10)}`.toLowerCase();
    const res = await trackingCall(encodeURIComponent(printed));
    expect(res.status).toBe(200);
    expect(res.body.trackingNumber).toBe(trackingNumber);
  });

  it.each(['RA473124828GB', 'hello', 'RA4731248290GB', 'RA473124829XX', '%E0%A4%A', 'RA473124829GB%00'])('400 for malformed %s', async (tn) => {
    const res = await trackingCall(tn);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });

  it('404 for a valid number nobody was given', async () => {
    const res = await trackingCall(makeTrackingNumber('CP', 99_999_998, 'US'));
    expect(res.status).toBe(404);
  });
});

describe('POST /webhooks/carrier', () => {
  it('appends an IN_TRANSIT event; the same event id again is a no-op', async () => {
    const { trackingNumber } = await shippedOrder();
    const event = carrierEvent(trackingNumber, 'IN_TRANSIT', { description: 'Arrived at sorting hub' });
    const res = await call(carrierWebhook, webhookRequest(event));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, eventId: event.eventId, duplicate: false, status: 'IN_TRANSIT' });
    const tracking = await getItem(keys.tracking(trackingNumber));
    expect(tracking!.events.at(-1)).toEqual({ at: event.occurredAt, status: 'IN_TRANSIT', description: 'Arrived at sorting hub' });

    const before = await snapshot();
    const again = await call(carrierWebhook, webhookRequest(event));
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('DELIVERED delivers the order (actor carrier), records the event id with a 30-day TTL', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const event = carrierEvent(trackingNumber, 'DELIVERED', { occurredAt: '2026-01-02T03:04:05Z' });
    const res = await call(carrierWebhook, webhookRequest(event));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, status: 'DELIVERED' });

    const delivered = await orderStore.get(order.id);
    expect(delivered!.status).toBe('DELIVERED');
    expect(delivered!.shipment!.deliveredAt).toBe('2026-01-02T03:04:05.000Z');
    expect(delivered!.timeline.at(-1)).toMatchObject({ status: 'DELIVERED', actor: 'carrier' });
    expect((await trackingCall(trackingNumber)).body.status).toBe('DELIVERED');

    const marker = await getItem(keys.webhookEvent('carrier', event.eventId));
    const thirtyDays = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    expect(marker!.expiresAt).toBeGreaterThan(thirtyDays - 60);
    expect(marker!.expiresAt).toBeLessThanOrEqual(thirtyDays + 1);

    // The carrier retries the same event: 200, nothing changes.
    const before = await snapshot();
    const again = await call(carrierWebhook, webhookRequest(event));
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('409 for DELIVERED when the order is not SHIPPED, and nothing changes', async () => {
    const { order, trackingNumber } = await shippedOrder();
    await orderStore.transition(order.id, 'DELIVERED', { actor: 'admin', reason: 'by hand' }, { from: ['SHIPPED'] });
    const before = await snapshot();
    const res = await call(carrierWebhook, webhookRequest(carrierEvent(trackingNumber, 'DELIVERED')));
    expect(res.status).toBe(409);
    expect(await snapshot()).toEqual(before);
  });

  it('200 duplicate for DELIVERED of a shipment already marked delivered by hand (the carrier stops retrying), and nothing changes', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const byHand = await call(adminMarkDelivered, { method: 'POST', path: `/admin/orders/${order.id}/delivered`, pathParameters: { id: order.id }, caller: admin });
    expect(byHand.status).toBe(200);
    const before = await snapshot();
    const res = await call(carrierWebhook, webhookRequest(carrierEvent(trackingNumber, 'DELIVERED')));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: true, status: 'DELIVERED' });
    expect(await snapshot()).toEqual(before);
  });

  describe('refusals change nothing', () => {
    let trackingNumber: string;
    beforeAll(async () => {
      ({ trackingNumber } = await shippedOrder());
    });

    const cases: [string, () => ReturnType<typeof webhookRequest>, number, string][] = [
      ['no signature', () => ({ ...webhookRequest(carrierEvent(trackingNumber, 'DELIVERED')), headers: {} }), 400, '/problems/missing-signature'],
      ['wrong secret', () => webhookRequest(carrierEvent(trackingNumber, 'DELIVERED'), { secret: 'not-the-secret' }), 400, '/problems/bad-signature'],
      [
        'body changed after signing',
        () => {
          const signed = webhookRequest(carrierEvent(trackingNumber, 'IN_TRANSIT'));
          return { ...signed, body: signed.body.replace('IN_TRANSIT', 'DELIVERED') };
        },
        400,
        '/problems/bad-signature',
      ],
      ['stale timestamp (6 minutes old)', () => webhookRequest(carrierEvent(trackingNumber, 'DELIVERED'), { at: new Date(Date.now() - 6 * 60_000) }), 400, '/problems/stale-timestamp'],
      ['timestamp 6 minutes ahead', () => webhookRequest(carrierEvent(trackingNumber, 'DELIVERED'), { at: new Date(Date.now() + 6 * 60_000) }), 400, '/problems/stale-timestamp'],
      [
        'replayed old request re-signed with a new t but the old HMAC',
        () => {
          const body = JSON.stringify(carrierEvent(trackingNumber, 'DELIVERED'));
          const oldT = Math.floor(Date.now() / 1000) - 3600;
          return { ...webhookRequest(undefined, { rawBody: body }), headers: { 'x-carrier-signature': `t=${Math.floor(Date.now() / 1000)},v1=${signPayload('test-carrier-webhook-secret', oldT, body)}` } };
        },
        400,
        '/problems/bad-signature',
      ],
      ['unknown tracking number', () => webhookRequest(carrierEvent(makeTrackingNumber('CP', 99_999_997, 'US'), 'DELIVERED')), 404, '/problems/not-found'],
      ['malformed JSON', () => webhookRequest(undefined, { rawBody: '{"eventId":' }), 400, '/problems/malformed-body'],
      ['unknown field', () => webhookRequest({ ...carrierEvent(trackingNumber, 'DELIVERED'), orderId: 'x' }), 400, '/problems/malformed-body'],
      ['unknown status', () => webhookRequest(carrierEvent(trackingNumber, 'TELEPORTED')), 400, '/problems/malformed-body'],
      ['bad check digit', () => webhookRequest(carrierEvent(trackingNumber.slice(0, 10) + String((Number(trackingNumber[10]) + 1) % 10) + 'US', 'DELIVERED')), 400, '/problems/malformed-body'],
    ];

    it.each(cases)('%s', async (_, request, status, type) => {
      const before = await snapshot();
      const res = await call(carrierWebhook, request());
      expect(res.status).toBe(status);
      expect(res.body.type).toBe(type);
      expect(await snapshot()).toEqual(before);
    });
  });
});

describe('GET /admin/orders/{id}/label', () => {
  const labelCall = (id: string, query?: Record<string, string>, caller = admin) =>
    call(adminGetLabel, { path: `/admin/orders/${id}/label`, pathParameters: { id }, query, caller });

  it('streams the PDF locally', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const res = await labelCall(order.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`label-${trackingNumber}.pdf`);
    expect(res.raw.isBase64Encoded).toBe(true);
    const pdf = await PDFDocument.load(Buffer.from(res.raw.body!, 'base64'));
    expect(pdf.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
  });

  it('streams the ZPL with format=zpl', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const res = await labelCall(order.id, { format: 'zpl' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zpl');
    const zpl = Buffer.from(res.raw.body!, 'base64').toString('utf8');
    expect(zpl).toMatch(/^\^XA/);
    expect(zpl).toContain(`^FD${trackingNumber}^FS`);
  });

  it('on AWS (LABELS_BUCKET set) redirects to a short-lived presigned S3 URL, or returns it as JSON', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const saved = { ...process.env };
    Object.assign(process.env, { LABELS_BUCKET: 'labels-bucket-test', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    try {
      const res = await labelCall(order.id, { format: 'zpl' });
      expect(res.status).toBe(302);
      const url = new URL(res.headers.location);
      expect(url.hostname).toBe('labels-bucket-test.s3.us-east-1.amazonaws.com');
      expect(url.pathname).toBe(`/labels/${order.id}/${trackingNumber}.zpl`);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(url.searchParams.get('response-content-type')).toBe('application/zpl');
      expect(res.body).toMatchObject({ url: res.headers.location, format: 'zpl' });

      const asJson = await call(adminGetLabel, { path: `/admin/orders/${order.id}/label`, pathParameters: { id: order.id }, caller: admin, headers: { accept: 'application/json' } });
      expect(asJson.status).toBe(200);
      expect(new URL(asJson.body.url).pathname).toBe(`/labels/${order.id}/${trackingNumber}.pdf`);
    } finally {
      for (const key of ['LABELS_BUCKET', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('400 for another format, 404 before a label exists or for unknown orders, 403 for customers', async () => {
    const { order } = await shippedOrder();
    expect((await labelCall(order.id, { format: 'png' })).status).toBe(400);
    const paid = await createOrderIn('PAID');
    expect((await labelCall(paid.id)).status).toBe(404);
    expect((await labelCall('no-such-order')).status).toBe(404);
    expect((await labelCall('../../etc')).status).toBe(404);
    expect((await labelCall(order.id, undefined, customer)).status).toBe(403);
  });
});

describe('POST /admin/orders/{id}/delivered', () => {
  const deliveredCall = (id: string, body?: unknown, caller = admin) =>
    call(adminMarkDelivered, { method: 'POST', path: `/admin/orders/${id}/delivered`, pathParameters: { id }, body: body === undefined ? undefined : JSON.stringify(body), caller });

  it('delivers a SHIPPED order by hand with the admin as actor', async () => {
    const { order, trackingNumber } = await shippedOrder();
    const res = await deliveredCall(order.id, { reason: 'Customer phoned: parcel received' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'DELIVERED', shipment: { trackingNumber, deliveredAt: expect.any(String) } });
    expect(res.body.timeline.at(-1)).toMatchObject({ status: 'DELIVERED', actor: `admin:${admin.username}`, reason: 'Customer phoned: parcel received' });
    expect((await trackingCall(trackingNumber)).body.status).toBe('DELIVERED');
  });

  it('accepts an empty body', async () => {
    const { order } = await shippedOrder();
    const res = await deliveredCall(order.id);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('DELIVERED');
  });

  it.each(['PAID', 'LABELLED', 'DELIVERED', 'CANCELLED'] as const)('409 for a %s order, nothing changes', async (status) => {
    const order = await createOrderIn(status);
    const before = await snapshot();
    const res = await deliveredCall(order.id);
    expect(res.status).toBe(409);
    expect(await snapshot()).toEqual(before);
  });

  it('404 unknown order, 400 bad body, 403 customer — nothing changes', async () => {
    const { order } = await shippedOrder();
    const before = await snapshot();
    expect((await deliveredCall('no-such-order')).status).toBe(404);
    expect((await deliveredCall(order.id, { reason: 'x', extra: true })).status).toBe(400);
    expect((await deliveredCall(order.id, { deliveredAt: new Date(Date.now() + 3600_000).toISOString() })).status).toBe(400);
    expect((await deliveredCall(order.id, undefined, customer)).status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});
