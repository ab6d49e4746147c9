import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from '../adapters/keys';
import { addressLines } from '../domain/address';
import { shipmentView, type Order } from '../domain/order';
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
    // Every shipment of the order as SPEC.md shows it, with whether its label can be fetched.
    shipments: ((order.shipments ?? []) as Order['shipments'] & object).map((s) => ({
      ...shipmentView(s),
      carrier: s.carrier,
      hasLabel: Items.some((item) => item.sk === (s.id === 'S1' ? 'SHIPMENT' : `SHIPMENT#${s.id}`) && item.state === 'CREATED'),
    })),
    returns: Items.filter((item) => String(item.sk).startsWith('RETURN#')).map((item) => ({
      id: item.id,
      status: item.status,
      items: item.items,
      ...(item.refund ? { refund: item.refund } : {}),
      createdAt: item.createdAt,
    })),
    refunded: { amount: Number((payment?.amountRefunded as number | undefined) ?? 0), currency: (order.total as Order['total']).currency },
    notifications,
  };
}
