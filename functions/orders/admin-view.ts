import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from '../adapters/keys';
import { addressLines } from '../domain/address';
import type { Order } from '../domain/order';
import { adminPaymentView, type PaymentRecord } from '../payments/payment';

const strip = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([key]) => !/^(pk|sk|gsi\dpk|gsi\dsk|entity|expiresAt|requestFingerprint|searchName)$/.test(key)));

/**
 * The admin's whole view of one order in one query: the order (with its timeline), the payment record
 * (status history, card brand/last 4 only), the shipment and which notifications were sent.
 */
export async function adminOrderView(orderId: string) {
  const { Items = [] } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.order(orderId).pk },
      ConsistentRead: true,
    }),
  );
  const order = Items.find((item) => item.sk === 'ORDER');
  if (!order) return undefined;
  const payment = Items.find((item) => item.sk === 'PAYMENT');
  const shipment = Items.find((item) => item.sk === 'SHIPMENT');
  // Sent ones only: a claimed marker is an email still being handed to the provider.
  const notifications = Items.filter((item) => String(item.sk).startsWith('NOTIFICATION#') && item.effectState === 'done').map((item) => ({
    kind: String(item.sk).slice('NOTIFICATION#'.length),
    sentAt: item.sentAt,
  }));
  return {
    ...strip(order),
    // The ship-to block in the destination country's format, country in full (for people, not parsing).
    addressLines: addressLines(order.shippingAddress as Order['shippingAddress']),
    paymentRecord: payment ? adminPaymentView(strip(payment) as unknown as PaymentRecord) : null,
    shipmentRecord: shipment ? strip(shipment) : null,
    notifications,
  };
}
