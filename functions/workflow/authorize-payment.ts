import { step, stepInput } from '../commons/step';
import { OrderStateConflict, orderStore } from '../adapters/order-store';
import { OrderNotActive, PaymentDeclined } from '../orders/errors';
import { authorizeOrderPayment, voidOrderPayment } from '../payments/service';

/**
 * RESERVED → PAID once the card is authorized (capture happens at ship). A cancel that lands while the
 * provider is answering makes the transition fail: the fresh authorization is voided here, then the
 * saga's cancel compensation runs. Transient provider errors surface as PaymentUnavailable (retried).
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const order = await orderStore.get(orderId);
  // Already authorized: a retried step, or a saga restarted for an order further along.
  if (order?.status === 'PAID' || order?.status === 'LABELLED') return { status: order.status };
  if (!order || order.status !== 'RESERVED') throw new OrderNotActive(orderId, order?.status);

  const result = await authorizeOrderPayment(order);
  // The payment store already wrote the declined payment onto the order, in its own transaction.
  if (result.outcome === 'declined') throw new PaymentDeclined(result.declineCode);
  const card = result.payment.brand ? ` (${result.payment.brand} •••• ${result.payment.last4})` : '';
  try {
    await orderStore.transition(orderId, 'PAID', { actor: 'step:authorize-payment', reason: `Payment authorized${card}` }, { from: ['RESERVED'], set: { payment: result.payment } });
  } catch (error) {
    if (error instanceof OrderStateConflict) {
      await voidOrderPayment(orderId, 'step:authorize-payment');
      throw new OrderNotActive(orderId, error.current?.status);
    }
    throw error;
  }
  return { status: 'PAID' };
});
