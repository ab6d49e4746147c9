import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';
import { keys } from './keys';

/** The kinds of email already sent for an order (their markers are done: functions/adapters/effect-claims.ts). */
export async function notificationsSent(orderId: string): Promise<Set<string>> {
  const { Items = [] } = await ddb().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.order(orderId).pk, ':prefix': 'NOTIFICATION#' },
      ConsistentRead: true,
    }),
  );
  return new Set(Items.filter((item) => item.effectState === 'done').map((item) => String(item.sk).slice('NOTIFICATION#'.length)));
}
