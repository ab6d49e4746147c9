import { step, stepInput } from '../commons/step';
import { releaseStock } from '../orders/service';

/** Compensation: idempotent, releases only if this order still holds a reservation. */
export const handler = step(stepInput, async ({ orderId }) => ({ released: await releaseStock(orderId) }));
