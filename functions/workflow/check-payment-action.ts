import { config } from '../commons/config';
import { step, stepInput } from '../commons/step';
import { OrderStateConflict, orderStore } from '../adapters/order-store';
import { OrderNotActive, PaymentDeclined } from '../orders/errors';
import { checkPaymentAction, voidOrderPayment } from '../payments/service';

/**
 * One poll of a 3-D Secure wait (the loop WaitForPaymentAction → CheckPaymentAction → PaymentActionNeeded in
 * the ASL). The payment record decides (payments/service.ts checkPaymentAction): still waiting →
 * `{ status: PAYMENT_ACTION_REQUIRED }` and the state machine waits again; authenticated →
 * PAYMENT_ACTION_REQUIRED → PAID; refused or timed out → PaymentDeclined (the failure compensations release
 * the stock). The order's conditional status write is the single arbiter against a racing cancel: if the
 * cancel committed first, PAID is refused, the authorization is voided and the cancel path runs.
 * Idempotent: a retry after PAID returns PAID; a retry after a decline re-reads the declined record.
 */
export const handler = step(stepInput, async ({ orderId }) => {
  const pollSeconds = config.paymentActionPollSeconds();
  const order = await orderStore.get(orderId);
  if (order?.status === 'PAID' || order?.status === 'LABELLED') return { status: order.status, pollSeconds };
  if (!order || order.status !== 'PAYMENT_ACTION_REQUIRED') throw new OrderNotActive(orderId, order?.status);

  const result = await checkPaymentAction(orderId);
  if (result.outcome === 'pending') return { status: 'PAYMENT_ACTION_REQUIRED', pollSeconds };
  if (result.outcome === 'declined') throw new PaymentDeclined(result.declineCode);
  const card = result.payment.brand ? ` (${result.payment.brand} •••• ${result.payment.last4})` : '';
  try {
    await orderStore.transition(
      orderId,
      'PAID',
      { actor: 'step:check-payment-action', reason: `Payment authenticated and authorized${card}` },
      { from: ['PAYMENT_ACTION_REQUIRED'], set: { payment: result.payment } },
    );
  } catch (error) {
    if (error instanceof OrderStateConflict) {
      await voidOrderPayment(orderId, 'step:check-payment-action');
      throw new OrderNotActive(orderId, error.current?.status);
    }
    throw error;
  }
  return { status: 'PAID', pollSeconds };
});
