import { ProblemError, unprocessable } from '../commons/problem';
import { ReturnStateConflict, returnsStore } from '../adapters/returns-store';
import { assignReceived, refundFor, unreceived, type Disposition, type ReturnRecord } from '../domain/returns';
import { restockAt } from '../inventory/stock';
import { refundOrderPayment } from '../payments/service';
import { orderOf, returnOf, settledOr, stateConflict } from './records';

/**
 * Receiving a return (SPEC.md "Returns"): the one step with several effects (restock per line, the refund,
 * REFUNDED). Each is idempotent (restock markers, one refund per return id), so a repeated or concurrent
 * receive finishes what an interrupted one started and never does anything twice. Apart from the other
 * steps (service.ts) because it alone needs the payments service and the Stripe SDK (cold start).
 */

const returnActor = (id: string) => `return:${id}`;
/** About 2 s of waiting for another refund of the same payment to finish. */
const REFUND_WAIT_ATTEMPTS = 8;

/**
 * Receive with a disposition per line: APPROVED → RECEIVED (units not received go back to the counters),
 * then `completeReturn`: restock at the return's location, refund the received lines, REFUNDED.
 */
export async function receiveReturn(id: string, actor: string, lines: { sku: string; quantity: number; disposition: Disposition }[]): Promise<ReturnRecord> {
  let r = await returnOf(id);
  if (r.status === 'RECEIVED' || r.status === 'REFUNDED') return completeReturn(r);
  if (r.status !== 'APPROVED') throw stateConflict(r, 'received');
  const received = assignReceived(r.items, lines);
  if ('exceeds' in received) {
    throw unprocessable('receive-exceeds-requested', `More units of ${received.exceeds} than the return holds.`, [
      { path: `items.${lines.findIndex((l) => l.sku === received.exceeds)}.quantity`, message: 'exceeds the returned quantity' },
    ]);
  }
  const order = await orderOf(r.orderId, () => true);
  const prices = new Map(order.items.map((l) => [l.sku, l.unitPrice.amount]));
  const refund = { amount: refundFor(received, prices), currency: order.total.currency };
  try {
    r = await returnsStore.transition(r, {
      from: 'APPROVED',
      to: 'RECEIVED',
      at: new Date().toISOString(),
      actor,
      reason: `Received: ${received.map((l) => `${l.quantity}× ${l.sku} ${l.disposition}`).join(', ')}`,
      orderStatus: order.status,
      set: { received, refund },
      release: unreceived(r.items, received),
    });
  } catch (error) {
    if (!(error instanceof ReturnStateConflict)) throw error;
    // A concurrent receive won: finish its receipt (never a second one).
    if (error.current?.status !== 'RECEIVED' && error.current?.status !== 'REFUNDED') throw stateConflict(error.current, 'received');
    r = error.current;
  }
  return completeReturn(r);
}

/** Restock, refund and REFUNDED for a RECEIVED return; each part once, whoever calls and however often. */
export async function completeReturn(r: ReturnRecord): Promise<ReturnRecord> {
  if (r.status === 'REFUNDED') return r;
  const received = r.received ?? [];
  for (const line of received.filter((l) => l.disposition === 'restock')) {
    // At the shipment's location (a hot SKU's MAIN units go to a shard), once per (return, shipment, SKU).
    await restockAt(line.sku, r.location, line.quantity, `Return ${r.id}`, { onceKey: `${r.id}#${line.shipmentId}#${line.sku}`, by: returnActor(r.id), orderId: r.orderId });
  }
  const amount = r.refund?.amount ?? 0;
  if (amount > 0) {
    // The payment takes one refund at a time: another return's (or an admin's) refund in flight is waited
    // for, briefly; past that the 409 tells the caller to receive again, which resumes here.
    for (let attempt = 1; ; attempt++) {
      try {
        await refundOrderPayment(r.orderId, amount, returnActor(r.id), { oncePerActor: true });
        break;
      } catch (error) {
        if (error instanceof ProblemError && error.type.endsWith('/refund-in-progress') && attempt < REFUND_WAIT_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 50));
          continue;
        }
        if (error instanceof ProblemError) throw error;
        throw new ProblemError(503, 'refund-pending', `The refund of return ${r.id} could not be completed yet; receive it again to retry.`);
      }
    }
  }
  const order = await orderOf(r.orderId, () => true);
  try {
    return await returnsStore.transition(r, {
      from: 'RECEIVED',
      to: 'REFUNDED',
      at: new Date().toISOString(),
      actor: returnActor(r.id),
      reason: `Refunded ${amount} ${r.refund?.currency ?? order.total.currency}`,
      orderStatus: order.status,
      set: { refundedAt: new Date().toISOString() },
    });
  } catch (error) {
    if (error instanceof ReturnStateConflict) return settledOr(error.current, 'REFUNDED', 'refunded');
    throw error;
  }
}
