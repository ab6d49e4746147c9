import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { step, stepInput } from '../commons/step';
import { keys } from '../adapters/keys';
import { orderStore } from '../adapters/order-store';
import { sendEmail } from '../adapters/mailer';
import { composeEmail } from '../notifications/emails';

/**
 * Sends the confirmation or shipped email once per order: a conditional marker is written first, so a
 * retried step finds it and sends nothing; if sending fails the marker is removed and the retry sends.
 */
export const handler = step(stepInput.extend({ kind: z.enum(['confirmation', 'shipped']) }), async ({ orderId, kind }) => {
  const order = await orderStore.get(orderId);
  if (!order) return { sent: false };
  const marker = keys.notification(orderId, kind);
  try {
    await ddb().send(
      new PutCommand({
        TableName: config.tableName(),
        Item: { ...marker, entity: 'NOTIFICATION', kind, sentAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { sent: false, duplicate: true };
    throw error;
  }
  try {
    await sendEmail(composeEmail(kind, order), `${orderId}-${kind}`);
  } catch (error) {
    await ddb().send(new DeleteCommand({ TableName: config.tableName(), Key: marker }));
    throw error;
  }
  return { sent: true };
});
