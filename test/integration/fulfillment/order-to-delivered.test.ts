import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { isValidTrackingNumber } from '../../../functions/domain/tracking';
import { signatureHeader } from '../../../functions/fulfillment/webhook-signature';
import { useLocalStack } from '../../support/local-stack';

/**
 * The fulfillment "done" criterion on the whole local stack: an order placed through the gateway ends
 * SHIPPED with a valid S10 number and a printable label, and a signed carrier event delivers it.
 */
const local = useLocalStack();
const WEBHOOK_SECRET = 'e2e-carrier-secret';

// The stack applies its env to this process (handlers run in-process); pin the webhook secret for signing.
beforeAll(() => {
  process.env.CARRIER_WEBHOOK_SECRET = WEBHOOK_SECRET;
});

async function waitForStatus(orderId: string, wanted: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: { status: string } | undefined;
  while (Date.now() < deadline) {
    const res = await local.api(`/admin/orders/${orderId}`, { as: 'admin' });
    last = (await res.json()) as { status: string };
    if (last.status === wanted) return last as Record<string, any>;
    if (['FAILED', 'CANCELLED'].includes(last.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Order ${orderId} is ${last?.status}, expected ${wanted}`);
}

test('placed → SHIPPED with S10 number and label → DELIVERED by a signed carrier event', async () => {
  const customer = { name: 'Katherine Johnson', email: 'katherine@example.com', phone: '+1 757 555 0100' };
  const placed = await local.api('/orders', {
    method: 'POST',
    as: 'customer',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      customer,
      shippingAddress: { line1: '1 NASA Drive', city: 'Hampton', region: 'VA', postalCode: '23666', country: 'US' },
      items: [{ sku: 'MUG-CLASSIC', quantity: 1 }],
      payment: { paymentMethodId: 'pm_card_visa' },
    }),
  });
  expect(placed.status).toBe(202);
  const { id } = (await placed.json()) as { id: string };

  const shipped = await waitForStatus(id, 'SHIPPED');
  const trackingNumber: string = shipped.shipment.trackingNumber;
  expect(isValidTrackingNumber(trackingNumber)).toBe(true);
  expect(shipped.shipment.trackingUrl).toBe(`${local.stack.apiUrl}/tracking/${trackingNumber}`);

  // Public tracking: status and events only.
  let tracking = await local.api(`/tracking/${trackingNumber}`);
  // Recorded right after the SHIPPED commit (and by the outbox, should that step die in between).
  for (let i = 0; i < 100 && ((await tracking.clone().json()) as { status: string }).status !== 'SHIPPED'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    tracking = await local.api(`/tracking/${trackingNumber}`);
  }
  expect(tracking.status).toBe(200);
  const trackingBody = await tracking.json();
  expect(trackingBody).toMatchObject({ trackingNumber, status: 'SHIPPED' });
  expect(JSON.stringify(trackingBody)).not.toMatch(/Katherine|katherine@|555 0100|NASA|Hampton|23666/);

  // Printable label for admins only.
  expect((await local.api(`/admin/orders/${id}/label`, { as: 'customer' })).status).toBe(403);
  const label = await local.api(`/admin/orders/${id}/label?format=pdf`, { as: 'admin' });
  expect(label.status).toBe(200);
  expect(label.headers.get('content-type')).toBe('application/pdf');
  const pdf = await PDFDocument.load(new Uint8Array(await label.arrayBuffer()));
  expect(pdf.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
  const zpl = await local.api(`/admin/orders/${id}/label?format=zpl`, { as: 'admin' });
  expect(await zpl.text()).toContain(`^FD${trackingNumber}^FS`);

  // The carrier reports delivery.
  const body = JSON.stringify({ eventId: `evt_${randomUUID()}`, trackingNumber, status: 'DELIVERED', occurredAt: new Date().toISOString() });
  const unsigned = await local.api('/webhooks/carrier', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(unsigned.status).toBe(400);
  const hook = await local.api('/webhooks/carrier', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-carrier-signature': signatureHeader(WEBHOOK_SECRET, body) },
    body,
  });
  expect(hook.status).toBe(200);
  const delivered = await waitForStatus(id, 'DELIVERED', 5_000);
  expect(delivered.shipment.deliveredAt).toEqual(expect.any(String));
  expect(((await (await local.api(`/tracking/${trackingNumber}`)).json()) as { status: string }).status).toBe('DELIVERED');
}, 120_000);
