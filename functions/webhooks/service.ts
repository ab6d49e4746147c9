import { deliveryStore, eventStore, type Delivery, type StoredEvent } from '../adapters/event-store';
import { MAX_SUBSCRIPTIONS, subscriptionStore, SubscriptionNotFound, TooManySubscriptions, type Subscription } from '../adapters/webhook-store';
import { badRequest, conflict, notFound } from '../commons/problem';
import type { EventScope, EventType, PendingEvent } from './events';
import { newSecret } from './signature';
import { targetProblem } from './targets';

/** An event from the outbox: numbered and fanned out to the subscriptions that want it, once per cause. */
export async function recordEvent(event: PendingEvent): Promise<'done' | 'skipped'> {
  const subscriptions = (await subscriptionStore.list()).filter((s) => s.active && (s.events.includes('*') || s.events.includes(event.type)));
  return (await eventStore.append(event, subscriptions)).appended ? 'done' : 'skipped';
}

/** What admins see of a subscription: never its secrets. */
export function subscriptionView(s: Subscription) {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    active: s.active,
    scope: s.scope,
    health: s.health,
    ...(s.failingSince ? { failingSince: s.failingSince } : {}),
    secretRotations: s.secrets.filter((x) => x.expiresAt && new Date(x.expiresAt) > new Date()).map((x) => ({ expiresAt: x.expiresAt })),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function checkUrl(url: string) {
  const problem = targetProblem(url);
  if (problem) throw badRequest('The webhook URL is not allowed.', [{ path: 'url', message: problem }]);
}

export interface SubscriptionInput {
  url: string;
  events: (EventType | '*')[];
  active?: boolean;
  scope?: EventScope;
}

export async function createSubscription(input: SubscriptionInput): Promise<{ subscription: Subscription; secret: string }> {
  checkUrl(input.url);
  const now = new Date().toISOString();
  const secret = newSecret();
  const subscription: Subscription = {
    id: `wh_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
    url: input.url,
    events: [...new Set(input.events)],
    active: input.active ?? true,
    scope: input.scope ?? 'basic',
    health: 'ok',
    secrets: [{ secret, createdAt: now }],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  try {
    // The cap is checked in the create's own transaction (a counter), so concurrent creates cannot pass it.
    await subscriptionStore.create(subscription);
  } catch (error) {
    if (error instanceof TooManySubscriptions) throw conflict('too-many-subscriptions', `At most ${MAX_SUBSCRIPTIONS} webhook subscriptions; delete one first.`);
    throw error;
  }
  return { subscription, secret };
}

async function existing(id: string): Promise<Subscription> {
  const s = await subscriptionStore.get(id);
  if (!s) throw notFound(`Webhook subscription ${id} was not found.`);
  return s;
}

export async function updateSubscription(id: string, patch: Partial<SubscriptionInput>): Promise<Subscription> {
  if (patch.url !== undefined) checkUrl(patch.url);
  const current = await existing(id);
  try {
    return await subscriptionStore.update(id, current.version, { ...patch, ...(patch.events ? { events: [...new Set(patch.events)] } : {}) });
  } catch (error) {
    if (error instanceof SubscriptionNotFound) throw conflict('concurrent-update', 'The subscription changed meanwhile; read it again and retry.');
    throw error;
  }
}

/** A new secret; the old ones stay valid for `graceSeconds` (deliveries are signed with each, newest first). */
export async function rotateSecret(id: string, graceSeconds: number): Promise<{ subscription: Subscription; secret: string }> {
  const current = await existing(id);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const secret = newSecret();
  const kept = current.secrets
    .filter((s) => !s.expiresAt || new Date(s.expiresAt) > now)
    .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < expiresAt ? s.expiresAt : expiresAt }));
  try {
    const subscription = await subscriptionStore.update(id, current.version, { secrets: [{ secret, createdAt: now.toISOString() }, ...(graceSeconds > 0 ? kept : [])] });
    return { subscription, secret };
  } catch (error) {
    if (error instanceof SubscriptionNotFound) throw conflict('concurrent-update', 'The subscription changed meanwhile; retry.');
    throw error;
  }
}

export async function deleteSubscription(id: string): Promise<void> {
  if (!(await subscriptionStore.delete(id))) throw notFound(`Webhook subscription ${id} was not found.`);
}

export function deliveryView(d: Delivery) {
  return {
    eventId: d.eventId,
    eventType: d.eventType,
    sequence: d.sequence,
    ...(d.stream.startsWith('order:') ? { orderId: d.stream.slice('order:'.length) } : {}),
    kind: d.kind,
    state: d.state,
    attemptCount: d.attemptCount ?? 0,
    attempts: d.attempts ?? [],
    ...(d.state === 'pending' && d.nextAttemptAt ? { nextAttemptAt: d.nextAttemptAt } : {}),
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
    createdAt: d.createdAt,
  };
}

export const MAX_REPLAY = 500;

/** Re-delivers exactly the chosen events (by id, or created in [from, to]) to one subscription. */
export async function replay(id: string, choice: { eventIds: string[] } | { from: string; to: string }): Promise<{ replayId: string; events: string[] }> {
  const subscription = await existing(id);
  let events: StoredEvent[];
  if ('eventIds' in choice) {
    const found = await Promise.all([...new Set(choice.eventIds)].map((e) => eventStore.byId(e)));
    const missing = choice.eventIds.filter((e) => !found.some((f) => f?.id === e));
    if (missing.length) throw badRequest('Some events do not exist.', missing.map((e) => ({ path: 'eventIds', message: `unknown event ${e.slice(0, 64)}` })));
    events = found as StoredEvent[];
    const unwanted = events.filter((e) => !subscription.events.includes('*') && !subscription.events.includes(e.type));
    if (unwanted.length) throw badRequest('The subscription does not receive some of these event types.', unwanted.map((e) => ({ path: 'eventIds', message: `${e.id} is ${e.type}` })));
  } else {
    // Stored times are UTC ISO strings: compare like with like, whatever offset the caller used.
    choice = { from: new Date(choice.from).toISOString(), to: new Date(choice.to).toISOString() };
    if (choice.from > choice.to) throw badRequest('`from` must not be after `to`.', [{ path: 'from', message: 'after to' }]);
    events = await eventStore.between(choice.from, choice.to, MAX_REPLAY + 1);
    if (events.length > MAX_REPLAY) throw badRequest(`At most ${MAX_REPLAY} events per replay; narrow the range.`, [{ path: 'to', message: 'range too wide' }]);
  }
  const wanted = events.filter((e) => subscription.events.includes('*') || subscription.events.includes(e.type));
  const replayId = `rp_${Date.now().toString(36)}${crypto.randomUUID().slice(0, 8)}`;
  for (const event of wanted) await deliveryStore.addReplay(subscription.id, replayId, event);
  return { replayId, events: wanted.map((e) => e.id) };
}
