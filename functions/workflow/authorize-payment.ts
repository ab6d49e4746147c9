import { config } from '../commons/config';
import { step, stepInput } from '../commons/step';
import { OrderStateConflict, orderStore } from '../adapters/order-store';
import { OrderNotActive, PaymentDeclined } from '../orders/errors';
import { authorizeOrderPayment, voidOrderPayment } from '../payments/service';

/**
 * RESERVED → PAID once the card is authorized (capture happens at ship), or RESERVED →
 * PAYMENT_ACTION_REQUIRED when the card needs 3-D Secure: the state machine then polls CheckPaymentAction
 * every `pollSeconds` (see statemachines/order-fulfillment.asl.json). A cancel that lands while the provider
 * is answering makes the transition fail: the fresh authorization is voided here, then the saga's cancel
 * compensation runs. Transient provider errors surface as PaymentUnavailable (retried).
 *
 * Returns `{ status, pollSeconds }` (ResultPath $.authorization): the Choice after this step reads `status`.
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const pollSeconds = config.paymentActionPollSeconds();
  const order = await orderStore.get(orderId);
  // Already authorized or waiting: a retried step, or a saga restarted for an order further along.
  if (order?.status === 'PAID' || order?.status === 'LABELLED' || order?.status === 'PAYMENT_ACTION_REQUIRED') return { status: order.status, pollSeconds };
  if (!order || order.status !== 'RESERVED') throw new OrderNotActive(orderId, order?.status);

  const result = await authorizeOrderPayment(order);
  // The payment store already wrote the declined payment onto the order, in its own transaction.
  if (result.outcome === 'declined') throw new PaymentDeclined(result.declineCode);
  const card = result.payment.brand ? ` (${result.payment.brand} •••• ${result.payment.last4})` : '';
  const [to, reason] =
    result.outcome === 'action_required'
      ? (['PAYMENT_ACTION_REQUIRED', `The card asks for authentication (3-D Secure)${card}; waiting for the customer`] as const)
      : (['PAID', `Payment authorized${card}`] as const);
  try {
    await orderStore.transition(orderId, to, { actor: 'step:authorize-payment', reason }, { from: ['RESERVED'], set: { payment: result.payment } });
  } catch (error) {
    if (error instanceof OrderStateConflict) {
      await voidOrderPayment(orderId, 'step:authorize-payment');
      throw new OrderNotActive(orderId, error.current?.status);
    }
    throw error;
  }
  return { status: to, pollSeconds };
});
