import { step, stepInput } from '../commons/step';
import { reserveStock } from '../orders/service';

/** Throws OutOfStock (→ FAILED/OUT_OF_STOCK) or OrderNotActive (→ cancel compensation). */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await reserveStock(orderId);
  return { status: order.status };
});
