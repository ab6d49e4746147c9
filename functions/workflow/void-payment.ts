import { z } from 'zod';
import { step, stepInput } from '../commons/step';
import { voidOrderPayment } from '../payments/service';

/** Compensation: voids an authorization, or refunds if it was already captured; no-op otherwise. */
export const handler = step(stepInput.extend({ actor: z.string().default('step:void-payment') }), async ({ orderId, actor }) => {
  const payment = await voidOrderPayment(orderId, actor);
  return { paymentStatus: payment?.status ?? null };
});
