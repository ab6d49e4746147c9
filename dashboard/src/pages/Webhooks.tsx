import { useState } from 'react';
import { request } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { AsyncView, Card, Field, Notice, PageHeader, ProblemMessage } from '../components/ui';
import { formatDateTime, formatNumber } from '../format';
import { useResource, useTitle } from '../hooks';
import { href } from '../router';

/** The webhook admin routes (SPEC.md "Events for integrators"); secrets appear only in create and rotate answers. */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  scope: 'basic' | 'contact';
  health: 'ok' | 'failing';
  failingSince?: string;
  secretRotations: { expiresAt: string }[];
  createdAt: string;
}
export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  sequence: number;
  orderId?: string;
  kind: 'delivery' | 'replay';
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attemptCount: number;
  attempts: { at: string; status?: number; latencyMs: number; error?: string }[];
  nextAttemptAt?: string;
  createdAt: string;
}

const EVENT_TYPES = ['order.placed', 'order.paid', 'order.payment_action_required', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.failed', 'order.refunded', 'inventory.low_stock', 'return.requested', 'return.approved', 'return.rejected', 'return.received', 'return.refunded'];
const enc = encodeURIComponent;
export const webhooksApi = {
  list: (signal?: AbortSignal) => request<{ items: WebhookSubscription[] }>('/admin/webhooks', { signal }),
  create: (body: { url: string; events: string[]; scope: string }) => request<WebhookSubscription & { secret: string }>('/admin/webhooks', { method: 'POST', body }),
  update: (id: string, body: Partial<{ active: boolean }>) => request<WebhookSubscription>(`/admin/webhooks/${enc(id)}`, { method: 'PATCH', body }),
  remove: (id: string) => request<void>(`/admin/webhooks/${enc(id)}`, { method: 'DELETE' }),
  rotate: (id: string) => request<WebhookSubscription & { secret: string }>(`/admin/webhooks/${enc(id)}/rotate-secret`, { method: 'POST', body: {} }),
  deliveries: (id: string, signal?: AbortSignal) => request<{ items: WebhookDelivery[]; nextCursor: string | null }>(`/admin/webhooks/${enc(id)}/deliveries`, { query: { limit: 100 }, signal }),
  replay: (id: string, body: { eventIds: string[] } | { from: string; to: string }) => request<{ replayId: string; events: string[] }>(`/admin/webhooks/${enc(id)}/replay`, { method: 'POST', body }),
};

/** The signing secret, once: the API never shows it again. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <div className="notice" role="alert" data-testid="webhook-secret">
      <p>
        <strong>Signing secret — copy it now, it is not shown again:</strong>
      </p>
      <p>
        <code className="mono">{secret}</code>
      </p>
      <button type="button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}

export function Webhooks({ id }: { id?: string }) {
  return id ? <WebhookDeliveries key={id} id={id} /> : <WebhookList />;
}

function WebhookList() {
  useTitle('Webhooks');
  const list = useResource((signal) => webhooksApi.list(signal), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['*']);
  const [scope, setScope] = useState('basic');
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [deleting, setDeleting] = useState<WebhookSubscription>();

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await fn();
      setNotice(done);
      list.reload(true);
    } catch (e) {
      setError(e);
    }
  };
  const toggle = (type: string, on: boolean) => setEvents((current) => (on ? [...current.filter((e) => e !== '*'), type] : current.filter((e) => e !== type)));

  return (
    <section>
      <PageHeader title="Webhooks" />
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(undefined)} />}
      <Notice>{notice}</Notice>
      {error !== undefined && <ProblemMessage error={error} />}
      <AsyncView resource={list}>
        {(data) =>
          data.items.length === 0 ? (
            <p className="state state-empty">No webhook subscriptions yet.</p>
          ) : (
            <table aria-label="Webhook subscriptions">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Events</th>
                  <th>Scope</th>
                  <th>State</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id} data-webhook={s.id}>
                    <td>
                      <a className="mono" href={href(`/webhooks/${enc(s.id)}`)}>
                        {s.url}
                      </a>
                    </td>
                    <td>{s.events.join(', ')}</td>
                    <td>{s.scope === 'contact' ? 'With contact details' : 'No personal data'}</td>
                    <td>
                      {s.health === 'failing' ? <span className="badge badge-danger">Failing since {formatDateTime(s.failingSince)}</span> : <span className="badge badge-neutral">OK</span>}{' '}
                      {!s.active && <span className="badge badge-warning">Inactive</span>}
                    </td>
                    <td className="actions">
                      <button type="button" onClick={() => act(() => webhooksApi.update(s.id, { active: !s.active }), s.active ? 'Subscription deactivated.' : 'Subscription activated.')}>
                        {s.active ? 'Deactivate' : 'Activate'}
                      </button>
                      <button type="button" onClick={() => act(async () => setSecret((await webhooksApi.rotate(s.id)).secret), 'Secret rotated; the old one keeps signing for 24 hours.')}>
                        Rotate secret
                      </button>
                      <button type="button" className="danger" onClick={() => setDeleting(s)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
      <Card id="new-webhook" title="New subscription">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const created = await webhooksApi.create({ url, events, scope });
              setSecret(created.secret);
              setUrl('');
            }, 'Subscription created.');
          }}
        >
          <Field label="URL" hint="https, reachable from the internet">
            {(props) => <input {...props} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />}
          </Field>
          <fieldset>
            <legend>Events</legend>
            <label>
              <input type="checkbox" checked={events.includes('*')} onChange={(e) => setEvents(e.target.checked ? ['*'] : [])} /> All events
            </label>
            {EVENT_TYPES.map((type) => (
              <label key={type}>
                <input type="checkbox" checked={events.includes(type)} onChange={(e) => toggle(type, e.target.checked)} /> {type}
              </label>
            ))}
          </fieldset>
          <Field label="Personal data">
            {(props) => (
              <select {...props} value={scope} onChange={(e) => setScope(e.target.value)}>
                <option value="basic">None (order, lines, totals, country)</option>
                <option value="contact">With customer contact details and address</option>
              </select>
            )}
          </Field>
          <button type="submit" className="primary">
            Create subscription
          </button>
        </form>
      </Card>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this subscription?"
        confirmLabel="Delete"
        danger
        onConfirm={async () => {
          const target = deleting!;
          await webhooksApi.remove(target.id);
          setDeleting(undefined);
          setNotice('Subscription deleted.');
          list.reload(true);
        }}
        onClose={() => setDeleting(undefined)}
      >
        Deliveries to {deleting?.url} stop; pending ones are cancelled.
      </ConfirmDialog>
    </section>
  );
}

function WebhookDeliveries({ id }: { id: string }) {
  useTitle('Webhook deliveries');
  const log = useResource((signal) => webhooksApi.deliveries(id, signal), [id], { pollMs: 5000 });
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const replay = async (body: { eventIds: string[] } | { from: string; to: string }) => {
    setError(undefined);
    try {
      const result = await webhooksApi.replay(id, body);
      setNotice(`Replaying ${formatNumber(result.events.length)} event(s).`);
      setChosen(new Set());
      log.reload(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section>
      <PageHeader title="Delivery log">
        <a href={href('/webhooks')}>All subscriptions</a>
      </PageHeader>
      <Notice>{notice}</Notice>
      {error !== undefined && <ProblemMessage error={error} />}
      <AsyncView resource={log}>
        {(data) => (
          <table aria-label="Deliveries">
            <thead>
              <tr>
                <th>Replay</th>
                <th>Event</th>
                <th>Order</th>
                <th className="num">Seq</th>
                <th>State</th>
                <th className="num">Attempts</th>
                <th>Last answer</th>
                <th className="num">Latency (ms)</th>
                <th>Next retry</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => {
                const last = d.attempts.at(-1);
                return (
                  <tr key={`${d.eventId}-${d.kind}-${d.createdAt}`} data-event={d.eventId} data-state={d.state}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Replay ${d.eventType} ${d.sequence}`}
                        checked={chosen.has(d.eventId)}
                        onChange={(e) => setChosen((c) => {
                          const next = new Set(c);
                          if (e.target.checked) next.add(d.eventId);
                          else next.delete(d.eventId);
                          return next;
                        })}
                      />
                    </td>
                    <td>
                      {d.eventType}
                      {d.kind === 'replay' && <span className="badge badge-neutral">replay</span>}
                    </td>
                    <td>{d.orderId ? <a className="mono" href={href(`/orders/${enc(d.orderId)}`)}>{d.orderId.slice(0, 8)}</a> : '—'}</td>
                    <td className="num">{d.sequence}</td>
                    <td>
                      <span className={`badge ${d.state === 'delivered' ? 'badge-neutral' : d.state === 'failed' ? 'badge-danger' : 'badge-warning'}`}>{d.state}</span>
                    </td>
                    <td className="num">{formatNumber(d.attemptCount)}</td>
                    <td>{last ? (last.status ?? last.error) : '—'}</td>
                    <td className="num">{last ? formatNumber(last.latencyMs) : '—'}</td>
                    <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </AsyncView>
      <div className="page-actions">
        <button type="button" disabled={chosen.size === 0} onClick={() => replay({ eventIds: [...chosen] })}>
          Replay selected ({chosen.size})
        </button>
      </div>
      <Card id="replay-range" title="Replay a time range">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void replay({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
          }}
        >
          <Field label="From">{(props) => <input {...props} type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} />}</Field>
          <Field label="To">{(props) => <input {...props} type="datetime-local" required value={to} onChange={(e) => setTo(e.target.value)} />}</Field>
          <button type="submit">Replay range</button>
        </form>
      </Card>
    </section>
  );
}

