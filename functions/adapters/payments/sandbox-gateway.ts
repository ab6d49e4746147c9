import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '../../commons/clients';
import { config } from '../../commons/config';
import {
  idempotencyKeys,
  PaymentStateError,
  PaymentUnavailableError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type CardDetails,
  type IntentSnapshot,
  type IntentStatus,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
} from '../../payments/gateway';

/**
 * The sandbox gateway: Stripe's test-mode semantics with no network, used when no Stripe secret is configured.
 * Intents go through Stripe's states (requires_capture → succeeded on capture, → canceled on void; refunds
 * raise amountRefunded) and live in the main table, because Lambdas (and the local runner's handler calls)
 * keep no state between invocations.
 *
 * Idempotency works as Stripe's does: the same key returns the first result and has no second effect. The
 * intent id is derived from the authorize key, so even two concurrent authorizations with one key create one
 * intent; capture and void are conditional state changes; each refund is a conditional item keyed by its key.
 */

/** SPEC.md's outcome table. The card data is what Stripe's test payment methods return. */
const expYear = () => new Date().getUTCFullYear() + 3;
const approved: Record<string, () => CardDetails> = {
  pm_card_visa: () => ({ brand: 'visa', last4: '4242', expMonth: 12, expYear: expYear() }),
  pm_card_mastercard: () => ({ brand: 'mastercard', last4: '4444', expMonth: 12, expYear: expYear() }),
  pm_card_amex: () => ({ brand: 'amex', last4: '8431', expMonth: 12, expYear: expYear() }),
};
/**
 * Cards that authorize normally but go on to misbehave later, as Stripe's test cards do: a refund that is
 * accepted and fails a few seconds later (refund_fail), a charge disputed shortly after capture.
 */
export const SANDBOX_LATER: Record<string, 'refund-fails' | 'disputed'> = {
  pm_card_refundFail: 'refund-fails',
  pm_card_createDispute: 'disputed',
};
approved.pm_card_refundFail = () => ({ brand: 'visa', last4: '5126', expMonth: 12, expYear: expYear() });
approved.pm_card_createDispute = () => ({ brand: 'visa', last4: '0259', expMonth: 12, expYear: expYear() });
/** 3-D Secure cards: the intent waits in requires_action until the sandbox page is answered. */
const needsAuthentication: Record<string, () => CardDetails> = {
  pm_card_threeDSecure2Required: () => ({ brand: 'visa', last4: '3220', expMonth: 12, expYear: expYear() }),
  pm_card_authenticationRequired: () => ({ brand: 'visa', last4: '3184', expMonth: 12, expYear: expYear() }),
};
/** Sandbox authorizations lapse after 7 days, like an uncaptured Stripe card payment. */
export const SANDBOX_AUTHORIZATION_DAYS = 7;
const captureBeforeFrom = (at: string) => new Date(Date.parse(at) + SANDBOX_AUTHORIZATION_DAYS * 24 * 3600 * 1000).toISOString();

const declines: Record<string, { code: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', message: 'Your card has expired.' },
};
const invalidPaymentMethod = { code: 'invalid_payment_method', message: 'The payment method is not usable.' };

/**
 * Test-only: this payment method makes every authorization fail as if Stripe were down (PaymentUnavailable),
 * so the workflow's retry-then-PAYMENT_ERROR path can be exercised locally. Stripe has no such id.
 */
export const SANDBOX_UNAVAILABLE_PAYMENT_METHOD = 'pm_card_sandboxUnavailable';

export const sandboxKeys = {
  intent: (intentId: string) => ({ pk: `SANDBOX#${intentId}`, sk: 'INTENT' }),
  refund: (intentId: string, idempotencyKey: string) => ({ pk: `SANDBOX#${intentId}`, sk: `REFUND#${idempotencyKey}` }),
};

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 24);
export const sandboxIntentId = (authorizeKey: string) => `pi_sbx_${shortHash(authorizeKey)}`;

/** One effect on an intent; tests count them to prove retries have no second effect. */
interface IntentEvent {
  at: string;
  type: 'authorized' | 'declined' | 'captured' | 'canceled' | 'refunded' | 'action_required' | 'authenticated' | 'authentication_failed';
  idempotencyKey: string;
  amount?: number;
}

export interface SandboxIntent {
  id: string;
  orderId: string;
  status: IntentStatus;
  amount: number;
  currency: string;
  amountReceived: number;
  amountRefunded: number;
  paymentMethod: string;
  card?: CardDetails;
  lastPaymentError?: { declineCode: string; message: string };
  /** 3-D Secure: the page where the customer answers (sandbox only). */
  nextActionUrl?: string;
  captureBefore?: string;
  events: IntentEvent[];
  createdAt: string;
}

const UNCAPTURED: IntentStatus[] = ['requires_capture', 'requires_payment_method', 'requires_confirmation', 'requires_action'];

export class SandboxGateway implements PaymentGateway {
  readonly provider = 'sandbox' as const;
  readonly lookupLagMs: number = 0;

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    if (request.paymentMethodId === SANDBOX_UNAVAILABLE_PAYMENT_METHOD) {
      throw new PaymentUnavailableError('Sandbox: the payment provider is unavailable (forced by pm_card_sandboxUnavailable).', 'api_error');
    }
    const key = idempotencyKeys.authorize(request.orderId, request.attempt);
    const id = sandboxIntentId(key);
    const at = new Date().toISOString();
    const authentication = needsAuthentication[request.paymentMethodId]?.();
    const card = approved[request.paymentMethodId]?.() ?? authentication;
    const decline = card ? undefined : (declines[request.paymentMethodId] ?? invalidPaymentMethod);
    const intent: SandboxIntent = {
      id,
      orderId: request.orderId,
      // A declined confirm leaves a Stripe intent in requires_payment_method with last_payment_error.
      status: authentication ? 'requires_action' : card ? 'requires_capture' : 'requires_payment_method',
      ...(authentication ? { nextActionUrl: `${config.paymentActionBaseUrl()}/${id}` } : card ? { captureBefore: captureBeforeFrom(at) } : {}),
      amount: request.amount.amount,
      currency: request.amount.currency,
      amountReceived: 0,
      amountRefunded: 0,
      paymentMethod: request.paymentMethodId,
      ...(card ? { card } : {}),
      ...(decline ? { lastPaymentError: { declineCode: decline.code, message: decline.message } } : {}),
      events: [{ at, type: authentication ? 'action_required' : card ? 'authorized' : 'declined', idempotencyKey: key, amount: request.amount.amount }],
      createdAt: at,
    };
    try {
      await ddb().send(
        new PutCommand({
          TableName: config.tableName(),
          Item: { ...sandboxKeys.intent(id), entity: 'SANDBOX_INTENT', ...intent },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return authorizeResult(intent);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Same idempotency key again: Stripe replays the first response, and refuses different parameters.
    const existing = (await this.get(id))!;
    if (existing.amount !== request.amount.amount || existing.currency !== request.amount.currency || existing.paymentMethod !== request.paymentMethodId) {
      throw new Error(`Sandbox: idempotency key ${key} was already used with different parameters.`);
    }
    return authorizeResult(existing);
  }

  async findAuthorization(orderId: string, attempts: number): Promise<AuthorizeResult | undefined> {
    for (let attempt = attempts; attempt >= 1; attempt--) {
      const intent = await this.get(sandboxIntentId(idempotencyKeys.authorize(orderId, attempt)));
      if (intent && intent.status !== 'canceled') return authorizeResult(intent);
    }
    return undefined;
  }

  async retrieve(intentId: string): Promise<IntentSnapshot> {
    const intent = await this.get(intentId);
    if (!intent) throw new PaymentStateError(`Sandbox: no such payment intent ${intentId}.`);
    return intentSnapshot(intent);
  }

  async capture(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot> {
    const key = idempotencyKeys.capture(orderId, attempt);
    return this.changeStatus(intentId, ['requires_capture'], 'succeeded', {
      type: 'captured',
      idempotencyKey: key,
      extraSet: '#amountReceived = #amount',
    });
  }

  async cancel(orderId: string, intentId: string, attempt?: number): Promise<IntentSnapshot> {
    return this.changeStatus(intentId, UNCAPTURED, 'canceled', { type: 'canceled', idempotencyKey: idempotencyKeys.void(orderId, attempt) });
  }

  /**
   * The sandbox's 3-D Secure page was answered: approve → requires_capture (authorized, like Stripe after a
   * successful challenge), decline → requires_payment_method with `authentication_failed`. Conditional on
   * requires_action, so the first answer wins; the same answer again returns the intent unchanged, and
   * any answer to an intent that is no longer waiting is a PaymentStateError.
   */
  async completeAction(intentId: string, outcome: 'approve' | 'decline'): Promise<SandboxIntent> {
    const at = new Date().toISOString();
    const approve = outcome === 'approve';
    const event: IntentEvent = { at, type: approve ? 'authenticated' : 'authentication_failed', idempotencyKey: `3ds-${outcome}` };
    try {
      const { Attributes } = await ddb().send(
        new UpdateCommand({
          TableName: config.tableName(),
          Key: sandboxKeys.intent(intentId),
          UpdateExpression: approve
            ? 'SET #status = :to, #events = list_append(#events, :event), #captureBefore = :captureBefore'
            : 'SET #status = :to, #events = list_append(#events, :event), #lastPaymentError = :error',
          ConditionExpression: 'attribute_exists(pk) AND #status = :waiting',
          ExpressionAttributeNames: { '#status': 'status', '#events': 'events', ...(approve ? { '#captureBefore': 'captureBefore' } : { '#lastPaymentError': 'lastPaymentError' }) },
          ExpressionAttributeValues: {
            ':to': approve ? 'requires_capture' : 'requires_payment_method',
            ':event': [event],
            ':waiting': 'requires_action',
            ...(approve ? { ':captureBefore': captureBeforeFrom(at) } : { ':error': { declineCode: 'authentication_failed', message: 'The 3-D Secure check was refused.' } }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as SandboxIntent;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.get(intentId);
    if (!current) throw new PaymentStateError(`Sandbox: no such payment intent ${intentId}.`);
    const already = approve ? current.status === 'requires_capture' : current.status === 'requires_payment_method' && current.lastPaymentError?.declineCode === 'authentication_failed';
    if (already) return current;
    throw new PaymentStateError(`The payment is no longer waiting for authentication (${current.status}).`, current.status);
  }

  /**
   * pm_card_refundFail: the refund made under `idempotencyKey` fails after it was accepted. The refund item
   * turns failed and the intent's amountRefunded drops back, in one transaction and at most once.
   * Returns the refund (as failed), also when it had failed already; undefined when there is no such refund.
   */
  async failRefund(intentId: string, idempotencyKey: string): Promise<RefundResult | undefined> {
    const refund = await this.getRefund(intentId, idempotencyKey);
    if (!refund) return undefined;
    if (refund.status === 'failed') return refund;
    const event: IntentEvent = { at: new Date().toISOString(), type: 'refunded', idempotencyKey: `${idempotencyKey}-failed`, amount: -refund.amount };
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: config.tableName(),
                Key: sandboxKeys.refund(intentId, idempotencyKey),
                UpdateExpression: 'SET #status = :failed',
                ConditionExpression: '#status = :succeeded',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':failed': 'failed', ':succeeded': 'succeeded' },
              },
            },
            {
              Update: {
                TableName: config.tableName(),
                Key: sandboxKeys.intent(intentId),
                UpdateExpression: 'SET #amountRefunded = #amountRefunded - :amount, #failedRefunds = list_append(if_not_exists(#failedRefunds, :empty), :event)',
                ConditionExpression: '#amountRefunded >= :amount',
                ExpressionAttributeNames: { '#amountRefunded': 'amountRefunded', '#failedRefunds': 'failedRefunds' },
                ExpressionAttributeValues: { ':amount': refund.amount, ':event': [event], ':empty': [] },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
    return { ...refund, status: 'failed' };
  }

  async refund(orderId: string, intentId: string, request: RefundRequest): Promise<RefundResult> {
    const key = idempotencyKeys.refund(orderId, request.sequence);
    for (let attempt = 0; attempt < 10; attempt++) {
      const replay = await this.getRefund(intentId, key);
      if (replay) return replay;
      const intent = await this.get(intentId);
      if (!intent) throw new PaymentStateError(`Sandbox: no such payment intent ${intentId}.`);
      if (intent.status !== 'succeeded') throw new PaymentStateError(`Cannot refund a PaymentIntent in status ${intent.status}.`, intent.status);
      const remaining = intent.amountReceived - intent.amountRefunded;
      const amount = request.amount ?? remaining;
      if (remaining <= 0) throw new PaymentStateError('The payment is already fully refunded.', intent.status);
      if (amount <= 0 || amount > remaining) {
        throw new PaymentStateError(`Refund amount ${amount} is not between 1 and the unrefunded ${remaining}.`, intent.status);
      }
      const refund: RefundResult = { refundId: `re_sbx_${shortHash(`${intentId}:${key}`)}`, amount, status: 'succeeded' };
      const event: IntentEvent = { at: new Date().toISOString(), type: 'refunded', idempotencyKey: key, amount };
      try {
        await ddb().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: config.tableName(),
                  Item: { ...sandboxKeys.refund(intentId, key), entity: 'SANDBOX_REFUND', ...refund, createdAt: event.at },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                // The limit is re-checked atomically: concurrent refunds with different keys cannot overdraw.
                Update: {
                  TableName: config.tableName(),
                  Key: sandboxKeys.intent(intentId),
                  UpdateExpression: 'SET #amountRefunded = #amountRefunded + :amount, #events = list_append(#events, :event)',
                  ConditionExpression: '#status = :succeeded AND #amountRefunded <= :limit',
                  ExpressionAttributeNames: { '#amountRefunded': 'amountRefunded', '#events': 'events', '#status': 'status' },
                  ExpressionAttributeValues: { ':amount': amount, ':event': [event], ':succeeded': 'succeeded', ':limit': intent.amountReceived - amount },
                },
              },
            ],
          }),
        );
        return refund;
      } catch (error) {
        // Lost a race (same key: the replay above answers; other key: re-check the remaining amount).
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    throw new PaymentUnavailableError('Sandbox: too much contention refunding this intent; retry.', 'lock_timeout');
  }

  async get(intentId: string): Promise<SandboxIntent | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: sandboxKeys.intent(intentId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk, sk, entity, ...intent } = Item;
    return intent as SandboxIntent;
  }

  private async getRefund(intentId: string, key: string): Promise<RefundResult | undefined> {
    const { Item } = await ddb().send(new GetCommand({ TableName: config.tableName(), Key: sandboxKeys.refund(intentId, key), ConsistentRead: true }));
    return Item ? { refundId: Item.refundId, amount: Item.amount, status: Item.status } : undefined;
  }

  /**
   * A conditional state change. If the condition fails because the intent is already in the target status
   * (a retry, or a concurrent call with the same key), the current state is returned with no second effect.
   */
  private async changeStatus(
    intentId: string,
    from: IntentStatus[],
    to: IntentStatus,
    change: { type: IntentEvent['type']; idempotencyKey: string; extraSet?: string },
  ): Promise<IntentSnapshot> {
    const event: IntentEvent = { at: new Date().toISOString(), type: change.type, idempotencyKey: change.idempotencyKey };
    const values: Record<string, unknown> = { ':to': to, ':event': [event] };
    from.forEach((status, i) => (values[`:from${i}`] = status));
    try {
      const { Attributes } = await ddb().send(
        new UpdateCommand({
          TableName: config.tableName(),
          Key: sandboxKeys.intent(intentId),
          UpdateExpression: `SET #status = :to, #events = list_append(#events, :event)${change.extraSet ? `, ${change.extraSet}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#events': 'events',
            ...(change.extraSet ? { '#amountReceived': 'amountReceived', '#amount': 'amount' } : {}),
          },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return intentSnapshot(Attributes as SandboxIntent);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.get(intentId);
    if (!current) throw new PaymentStateError(`Sandbox: no such payment intent ${intentId}.`);
    if (current.status === to) return intentSnapshot(current);
    throw new PaymentStateError(`Cannot move a PaymentIntent from ${current.status} to ${to}.`, current.status);
  }
}

function authorizeResult(intent: SandboxIntent): AuthorizeResult {
  if (intent.status === 'requires_action' && intent.nextActionUrl) {
    return { outcome: 'action_required', intentId: intent.id, nextAction: { type: 'redirect_to_url', url: intent.nextActionUrl }, ...(intent.card ? { card: intent.card } : {}) };
  }
  if (intent.status === 'requires_payment_method' || !intent.card) {
    return {
      outcome: 'declined',
      intentId: intent.id,
      declineCode: intent.lastPaymentError?.declineCode ?? invalidPaymentMethod.code,
      message: intent.lastPaymentError?.message ?? invalidPaymentMethod.message,
    };
  }
  return { outcome: 'authorized', intentId: intent.id, status: intent.status, card: intent.card, ...(intent.captureBefore ? { captureBefore: intent.captureBefore } : {}) };
}

function intentSnapshot(intent: SandboxIntent): IntentSnapshot {
  return {
    intentId: intent.id,
    status: intent.status,
    amount: intent.amount,
    amountCaptured: intent.amountReceived,
    currency: intent.currency,
    ...(intent.lastPaymentError ? { declineCode: intent.lastPaymentError.declineCode } : {}),
    ...(intent.captureBefore ? { captureBefore: intent.captureBefore } : {}),
    ...(intent.card ? { card: intent.card } : {}),
  };
}
