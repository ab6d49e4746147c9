import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { PaymentUnavailableError, type PaymentGateway } from '../../functions/payments/gateway';

/**
 * In-process fault injection at every boundary a handler crosses: each DynamoDB and Step Functions call,
 * each payment-provider call, each email and each alert publish. A boundary is named by the invocation it
 * happens in and its occurrence, e.g. `ReserveStock:TransactWriteItemsCommand#1`, so a recorded run
 * enumerates every boundary of a scenario and each can then be faulted on its own:
 *
 *   crash-before  the process dies before the call: no effect, and nothing after it in that invocation runs
 *   crash-after   the call takes effect, then the process dies before it sees the answer
 *   timeout       the call takes effect, the caller gets a timeout and carries on (the process lives)
 *
 * A dead invocation's every later call fails too and its result is discarded, as for a Lambda that was
 * killed: Step Functions sees Lambda.Unknown, the stream mapping retries the batch, a client sees a 5xx.
 */
export type FaultMode = 'crash-before' | 'crash-after' | 'timeout';
export interface FaultPlan {
  boundary: string;
  mode: FaultMode;
}

interface Invocation {
  name: string;
  dead: boolean;
  /** Calls of this invocation that have returned or thrown, and the last boundary crossed (batch detection). */
  completed: number;
  last?: { base: string; completed: number; first: string };
}

export class Crash extends Error {
  override readonly name = 'Lambda.Unknown';
  constructor(boundary: string) {
    super(`Injected crash at ${boundary}`);
  }
}

export class InjectedTimeout extends Error {
  override readonly name = 'TimeoutError';
  constructor(boundary: string) {
    super(`Injected timeout at ${boundary}`);
  }
}

export class FaultInjector {
  private readonly als = new AsyncLocalStorage<Invocation>();
  private counts = new Map<string, number>();
  private plan: FaultPlan | undefined;
  /** Boundaries in the order they were crossed (the recording of a fault-free run). */
  crossed: string[] = [];
  /**
   * The first boundary of the batch each boundary was issued in: calls of one operation that an invocation
   * started together (e.g. a Promise.all over index shards), before any of its calls had returned.
   */
  batchOf = new Map<string, string>();
  fired: FaultPlan | undefined;

  reset(plan?: FaultPlan): void {
    this.counts = new Map();
    this.crossed = [];
    this.batchOf = new Map();
    this.plan = plan;
    this.fired = undefined;
  }

  /** Runs one "Lambda invocation"; if a crash killed it, its outcome is a Crash whatever it returned. */
  async invoke<T>(name: string, run: () => Promise<T>): Promise<T> {
    const invocation: Invocation = { name, dead: false, completed: 0 };
    let result: T;
    try {
      result = await this.als.run(invocation, run);
    } catch (error) {
      if (invocation.dead) throw new Crash(`${name} (dead)`);
      throw error;
    }
    if (invocation.dead) throw new Crash(`${name} (dead)`);
    return result;
  }

  /** Wraps one call at a boundary. Calls outside any tagged invocation (the test's own set-up) pass. */
  async around<T>(operation: string, call: () => Promise<T>, timeoutError: (boundary: string) => Error = (b) => new InjectedTimeout(b)): Promise<T> {
    const invocation = this.als.getStore();
    if (!invocation) return call();
    const base = `${invocation.name}:${operation}`;
    const n = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, n);
    const boundary = `${base}#${n}`;
    this.crossed.push(boundary);
    const sameBatch = invocation.last && invocation.last.base === base && invocation.last.completed === invocation.completed;
    const first = sameBatch ? invocation.last!.first : boundary;
    invocation.last = { base, completed: invocation.completed, first };
    this.batchOf.set(boundary, first);
    if (invocation.dead) throw new Crash(boundary);
    const plan = this.plan && !this.fired && this.plan.boundary === boundary ? this.plan : undefined;
    if (!plan) return call().finally(() => invocation.completed++);
    this.fired = plan;
    if (plan.mode === 'crash-before') {
      invocation.dead = true;
      throw new Crash(boundary);
    }
    const result = await call().finally(() => invocation.completed++);
    if (plan.mode === 'crash-after') {
      invocation.dead = true;
      throw new Crash(boundary);
    }
    void result;
    throw timeoutError(boundary);
  }

  /** SDK v3 client: one boundary per logical call (before the SDK's own retries). */
  instrumentClient(client: DynamoDBClient | SFNClient, service: string): void {
    type Next = (args: unknown) => Promise<unknown>;
    (client.middlewareStack as unknown as { add: (m: unknown, o: unknown) => void }).add(
      (next: Next, context: { commandName?: string }) => (args: unknown) => this.around(`${service}.${context.commandName ?? 'call'}`, () => next(args)),
      { step: 'initialize', name: `faultInjection-${service}`, priority: 'high' },
    );
  }

  /** The payment provider port: a timeout surfaces as the adapter would report it (PaymentUnavailable). */
  gateway(inner: PaymentGateway): PaymentGateway {
    const wrap = <A extends unknown[], R>(op: string, fn: (...args: A) => Promise<R>) => (...args: A) =>
      this.around(`provider.${op}`, () => fn(...args), (b) => new PaymentUnavailableError(`Injected timeout at ${b}`, 'timeout'));
    return {
      provider: inner.provider,
      authorize: wrap('authorize', inner.authorize.bind(inner)),
      capture: wrap('capture', inner.capture.bind(inner)),
      cancel: wrap('cancel', inner.cancel.bind(inner)),
      refund: wrap('refund', inner.refund.bind(inner)),
      ...(inner.findAuthorization ? { findAuthorization: wrap('findAuthorization', inner.findAuthorization.bind(inner)) } : {}),
      ...(inner.retrieve ? { retrieve: wrap('retrieve', inner.retrieve.bind(inner)) } : {}),
    } as PaymentGateway;
  }
}
