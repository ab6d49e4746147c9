import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../commons/clients';
import { countMetric } from '../commons/powertools';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Which items of a cancelled transaction failed their condition (indexes into TransactItems). */
export function failedConditions(error: TransactionCanceledException): number[] {
  return (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
}

const isConflict = (error: unknown) =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict') &&
  failedConditions(error).length === 0;

/**
 * TransactWriteItems with retries on TransactionConflict (another transaction touched the same item),
 * which the SDK does not retry: full-jitter exponential backoff, bounded. Condition failures are returned
 * to the caller at once: they are answers, not faults.
 */
export async function transactWrite(
  items: TransactItems,
  options: { attempts?: number; token?: string; /** Metric breakdown of conflicts: 'reserve', 'cancel', … */ operation?: string } = {},
): Promise<void> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb().send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: options.token }));
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      // Two writers on the same items (a reservation racing another, or a cancel): retried, but counted.
      countMetric('TransactionConflicts', options.operation ? { operation: options.operation } : {});
      const cap = Math.min(1000, 20 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}
