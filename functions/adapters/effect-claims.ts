import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../commons/clients';
import { config } from '../commons/config';

/**
 * Claim-then-mark for side effects that the provider cannot de-duplicate (an email, an SNS publish): a
 * consumer claims the effect's item before acting and marks it done after. A claim whose holder died is
 * taken over once its lease has passed; a done effect is never repeated. What remains is the window
 * between the provider accepting and the mark being written: a crash exactly there repeats the effect once
 * (at-least-once), and only where the provider has no idempotency of its own (docs/decisions.md).
 */
export type ClaimResult = { claimed: true; token: string } | { claimed: false; state: 'done' | 'in-progress' };

export class EffectInProgress extends Error {
  override readonly name = 'EffectInProgress';
}

const names = (extra: string[]) => (extra.length ? { ExpressionAttributeNames: Object.fromEntries(extra.map((name, i) => [`#a${i}`, name])) } : {});
const leaseMs = () => Number(process.env.OUTBOX_CLAIM_LEASE_SECONDS ?? '30') * 1000;

export const effectClaims = {
  async claim(key: { pk: string; sk: string }, attributes: Record<string, unknown> = {}): Promise<ClaimResult> {
    const now = Date.now();
    const token = crypto.randomUUID();
    const extra = Object.keys(attributes);
    try {
      await ddb().send(
        new UpdateCommand({
          TableName: config.tableName(),
          Key: key,
          UpdateExpression: `SET effectState = :claimed, claimedAt = :now, claimToken = :token${extra.map((name, i) => `, #a${i} = :a${i}`).join('')}`,
          ConditionExpression: '(attribute_not_exists(effectState) OR effectState = :claimed AND claimedAt < :expired)',
          ...names(extra),
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':now': now,
            ':token': token,
            ':expired': now - leaseMs(),
            ...Object.fromEntries(extra.map((name, i) => [`:a${i}`, attributes[name]])),
          },
        }),
      );
      return { claimed: true, token };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: key, ConsistentRead: true }));
      return { claimed: false, state: Item?.effectState === 'done' ? 'done' : 'in-progress' };
    }
  },

  /** Marks the claimed effect done (only the claim's holder can). */
  async markDone(key: { pk: string; sk: string }, token: string, attributes: Record<string, unknown> = {}): Promise<void> {
    const extra = Object.keys(attributes);
    await ddb().send(
      new UpdateCommand({
        TableName: config.tableName(),
        Key: key,
        UpdateExpression: `SET effectState = :done, doneAt = :at${extra.map((_, i) => `, #a${i} = :a${i}`).join('')} REMOVE claimToken`,
        ConditionExpression: 'claimToken = :token',
        ...names(extra),
        ExpressionAttributeValues: { ':done': 'done', ':at': new Date().toISOString(), ':token': token, ...Object.fromEntries(extra.map((name, i) => [`:a${i}`, attributes[name]])) },
      }),
    );
  },

  /** Gives a claim back after the effect failed, so the next attempt need not wait for the lease. */
  async release(key: { pk: string; sk: string }, token: string): Promise<void> {
    await ddb()
      .send(
        new UpdateCommand({
          TableName: config.tableName(),
          Key: key,
          UpdateExpression: 'SET claimedAt = :zero',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeValues: { ':zero': 0, ':token': token },
        }),
      )
      .catch(() => undefined);
  },
};

/** Runs `effect` at most once per key while alive, exactly once in the end when retried until it succeeds. */
export async function once<T>(key: { pk: string; sk: string }, effect: () => Promise<T>, attributes: { claim?: Record<string, unknown>; done?: (result: T) => Record<string, unknown> } = {}): Promise<'done' | 'skipped'> {
  const claim = await effectClaims.claim(key, attributes.claim);
  if (!claim.claimed) {
    if (claim.state === 'done') return 'skipped';
    throw new EffectInProgress(`Effect ${key.pk} ${key.sk} is claimed by another consumer; retry later.`);
  }
  let result: T;
  try {
    result = await effect();
  } catch (error) {
    await effectClaims.release(key, claim.token);
    throw error;
  }
  await effectClaims.markDone(key, claim.token, attributes.done?.(result) ?? {});
  return 'done';
}
