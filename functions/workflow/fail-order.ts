import * as z from '../domain/zod';
import { step, stepInput } from '../commons/step';
import { logger } from '../commons/powertools';
import { FAILURE_REASONS } from '../domain/order';
import { OrderStateConflict, orderStore } from '../adapters/order-store';

const input = z.extend(stepInput, {
  failureReason: z.enum(FAILURE_REASONS),
  input: z.looseObject({
    error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
    compensationError: z.optional(z.object({ Error: z.string() })),
  }),
});

const reasons: Record<(typeof FAILURE_REASONS)[number], string> = {
  OUT_OF_STOCK: 'Not enough stock for every line',
  PAYMENT_DECLINED: 'The card was declined',
  PAYMENT_ERROR: 'The payment provider could not be reached',
  FULFILLMENT_ERROR: 'The order could not be fulfilled',
};

/** Terminal FAILED with the reason, after compensation ran. An order already terminal stays as it is. */
export const handler = step(input, async ({ orderId, failureReason, input: { error, compensationError } }) => {
  let reason = reasons[failureReason];
  if (error?.Error === 'PaymentDeclined' && error.Cause) {
    const code = /declined: (\w+)/.exec(safeMessage(error.Cause))?.[1];
    if (code) reason += ` (${code})`;
  }
  if (compensationError) reason += `; compensation incomplete (${compensationError.Error}): needs attention`;
  try {
    await orderStore.transition(orderId, 'FAILED', { actor: 'step:fail-order', reason }, { set: { failureReason } });
    return { status: 'FAILED' };
  } catch (err) {
    if (err instanceof OrderStateConflict) {
      logger.info('Order already terminal; not marked FAILED', { status: err.current?.status });
      return { status: err.current?.status ?? 'MISSING' };
    }
    throw err;
  }
});

/** Lambda errors reach Catch as a JSON Cause {errorMessage, errorType}; local runs pass the message. */
function safeMessage(cause: string): string {
  try {
    return String(JSON.parse(cause).errorMessage ?? cause);
  } catch {
    return cause;
  }
}
