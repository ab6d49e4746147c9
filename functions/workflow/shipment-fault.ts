import * as z from '../domain/zod';
import { step, stepInput } from '../commons/step';
import { orderStore } from '../adapters/order-store';

const input = z.extend(stepInput, { input: z.looseObject({ error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })) }) });

/**
 * A shipment's step failed after its retries. While no shipment has left, the saga compensates as before
 * (`partlyShipped: false`). Once one is with the carrier, a release or refund would be wrong (its units are
 * gone, the customer has them): the order is flagged needsAttention for a person instead.
 */
export const handler = step(input, async ({ orderId, input: { error } }) => {
  const order = await orderStore.get(orderId);
  const partlyShipped = Boolean(order && order.status === 'LABELLED' && order.shippedParts);
  if (partlyShipped && !order!.needsAttention) {
    const shipped = (order!.shipments ?? []).filter((s) => s.status === 'SHIPPED' || s.status === 'DELIVERED').map((s) => s.id);
    const reason = `Shipping failed (${error?.Error ?? 'an unknown error'}) after ${shipped.join(', ')} left: ship the rest by hand or refund it`;
    await orderStore.note(orderId, { status: order!.status, actor: 'step:shipment-fault', reason }, { needsAttention: { reason, since: new Date().toISOString() } });
  }
  return { partlyShipped };
});
