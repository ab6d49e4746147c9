import * as z from '../domain/zod';
import { step, stepInput } from '../commons/step';
import { orderStore } from '../adapters/order-store';

const input = z.extend(stepInput, {
  input: z.looseObject({
    failureReason: z.optional(z.string()),
    compensationError: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
  }),
});

/**
 * A compensation still failed after its retries: the order gets `needsAttention` (shown first to admins) and
 * the execution then fails as CompensationFailed. The outbox sees the flag and raises the alarm metric.
 */
export const handler = step(input, async ({ orderId, input: { compensationError, failureReason } }) => {
  const order = await orderStore.get(orderId);
  if (!order || order.needsAttention) return { flagged: false };
  const what = compensationError?.Error ?? 'an unknown error';
  const reason = `Compensation failed (${what})${failureReason ? ` after ${failureReason}` : ''}: check stock and the payment by hand`;
  await orderStore.note(orderId, { status: order.status, actor: 'step:flag-needs-attention', reason }, { needsAttention: { reason, since: new Date().toISOString() } });
  return { flagged: true };
});
