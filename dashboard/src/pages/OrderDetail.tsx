import { useState } from 'react';
import { api, SessionExpiredError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { AsyncView, Card, Detail, Field, Notice, PageHeader, ProblemMessage, StatusBadge } from '../components/ui';
import { formatDateTime, formatMoney, humanize, moneyInText, parseDecimalToMinor, readableActor } from '../format';
import { useResource, useTitle } from '../hooks';
import { href } from '../router';
import { CANCELLABLE, type Order } from '../types';

const TERMINAL = ['DELIVERED', 'CANCELLED', 'FAILED'];

type Action = 'cancel' | 'refund' | 'delivered' | null;

export function OrderDetail({ id }: { id: string }) {
  useTitle(`Order ${id}`);
  const [status, setStatus] = useState<string>();
  const order = useResource(
    async (signal) => {
      const loaded = await api.getOrder(id, signal);
      setStatus(loaded.status);
      return loaded;
    },
    [id],
    // Follow the workflow live until the order can no longer change by itself.
    { pollMs: status && TERMINAL.includes(status) ? false : 4000 },
  );
  const [action, setAction] = useState<Action>(null);
  const [notice, setNotice] = useState<string>();

  // After an action, show what happened and re-read the order (its payment and timeline changed too).
  const done = (message: string) => {
    setNotice(message);
    order.reload(true);
  };

  return (
    <section>
      <p className="breadcrumb">
        <a href={href('/orders')}>← Orders</a>
      </p>
      <AsyncView resource={order}>
        {(o) => (
          <>
            <PageHeader title={o.number ? `Order #${o.number}` : `Order ${o.id}`}>
              <StatusBadge status={o.status} />
              {CANCELLABLE.includes(o.status) && (
                <button type="button" className="btn btn-danger" onClick={() => setAction('cancel')}>
                  Cancel order
                </button>
              )}
              {o.status === 'SHIPPED' && (
                <button type="button" className="btn" onClick={() => setAction('delivered')}>
                  Mark delivered
                </button>
              )}
              {refundable(o) > 0 && (
                <button type="button" className="btn" onClick={() => setAction('refund')}>
                  Refund
                </button>
              )}
            </PageHeader>
            <Notice>{notice}</Notice>
            {o.failureReason && (
              <p className="problem" role="status">
                Failed: {humanize(o.failureReason)}
              </p>
            )}
            <p className="subtle">
              {o.number ? <span className="mono">{o.id} · </span> : null}Placed {formatDateTime(o.createdAt)}
              {o.updatedAt ? ` · updated ${formatDateTime(o.updatedAt)}` : ''}
            </p>

            <div className="cards">
              <CustomerCard order={o} />
              <PaymentCard order={o} />
              <ShipmentCard order={o} onChanged={done} />
            </div>

            <h2>Lines</h2>
            <div className="table-wrap">
              <table className="table" aria-label="Order lines">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">Quantity</th>
                    <th scope="col" className="num">Unit price</th>
                    <th scope="col" className="num">Line total</th>
                  </tr>
                </thead>
                <tbody>
                  {o.items.map((line) => (
                    <tr key={line.sku}>
                      <td className="mono">{line.sku}</td>
                      <td>{line.name ?? '—'}</td>
                      <td className="num">{line.quantity}</td>
                      <td className="num">{formatMoney(line.unitPrice)}</td>
                      <td className="num">{formatMoney(line.lineTotal)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={4} className="num">
                      Total
                    </th>
                    <td className="num strong">{formatMoney(o.total)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>

            <h2>Timeline</h2>
            {o.timeline?.length ? (
              <Timeline label="Order timeline" entries={o.timeline.map((entry) => ({ at: entry.at, status: entry.status, text: entry.reason ?? '', by: readableActor(entry.actor) }))} />
            ) : (
              <p className="state state-empty">No timeline entries yet.</p>
            )}

            {o.paymentRecord?.history?.length ? (
              <>
                <h2>Payment history</h2>
                <Timeline
                  label="Payment history"
                  entries={o.paymentRecord.history.map((entry) => ({ at: entry.at, status: entry.status, text: entry.detail ? moneyInText(entry.detail, o.total.currency) : undefined, by: readableActor(entry.source) }))}
                />
              </>
            ) : null}

            <ConfirmDialog
              open={action === 'cancel'}
              title={`Cancel order ${o.id}?`}
              confirmLabel="Cancel order"
              danger
              onClose={() => setAction(null)}
              onConfirm={async () => {
                await api.cancelOrder(o.id);
                done('Order cancelled. Reserved stock is released and the payment voided.');
              }}
            >
              <p>The customer’s reserved stock is released and any card authorization is voided. This cannot be undone.</p>
            </ConfirmDialog>
            <ConfirmDialog
              open={action === 'delivered'}
              title={`Mark order ${o.id} delivered?`}
              confirmLabel="Mark delivered"
              onClose={() => setAction(null)}
              onConfirm={async () => {
                await api.markDelivered(o.id);
                done('Order marked delivered.');
              }}
            >
              <p>Use this when the carrier confirmed delivery outside the tracking feed.</p>
            </ConfirmDialog>
            {action === 'refund' && (
              <RefundDialog
                order={o}
                onClose={() => setAction(null)}
                onDone={(amount) => done(`Refund of ${formatMoney({ amount, currency: o.total.currency })} issued.`)}
              />
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}

interface TimelineItem {
  at: string;
  status: string;
  /** Shown when defined, even if empty, so the order timeline keeps its column. */
  text?: string;
  by?: string;
}

/** Status changes oldest first: the order's own timeline and its payment's history look the same. */
function Timeline({ entries, label }: { entries: TimelineItem[]; label?: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {entries.map((entry, index) => (
        <li key={`${entry.at}-${index}`}>
          <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          <StatusBadge status={entry.status} />
          {entry.text !== undefined && <span className="timeline-reason">{entry.text}</span>}
          {entry.by && <span className="subtle"> by {entry.by}</span>}
        </li>
      ))}
    </ol>
  );
}

/** What can still be refunded: captured minus refunded (nothing before capture, i.e. before shipping). */
function refundable(order: Order): number {
  const record = order.paymentRecord;
  if (record) return Math.max(0, (record.amountCaptured ?? 0) - (record.amountRefunded ?? 0));
  const p = order.payment;
  if (!p || !['captured', 'partially_refunded'].includes(p.status)) return 0;
  return Math.max(0, (p.amount?.amount ?? order.total.amount) - (p.amountRefunded ?? 0));
}

function RefundDialog({ order, onClose, onDone }: { order: Order; onClose: () => void; onDone: (amount: number) => void }) {
  const [amount, setAmount] = useState('');
  // One key per dialog and amount: a double submit or a retry after a timeout refunds once.
  const [attempt] = useState(() => crypto.randomUUID());
  const currency = order.total.currency;
  const max = refundable(order);
  return (
    <ConfirmDialog
      open
      title={`Refund order ${order.id}`}
      confirmLabel="Refund"
      danger
      onClose={onClose}
      onConfirm={async () => {
        let minor: number | undefined;
        if (amount.trim() !== '') {
          const parsed = parseDecimalToMinor(amount, currency);
          if (!parsed.ok) throw new Error(parsed.message);
          if (parsed.minor <= 0) throw new Error('The refund must be more than zero.');
          if (parsed.minor > max) throw new Error(`At most ${formatMoney({ amount: max, currency })} can be refunded.`);
          minor = parsed.minor;
        }
        await api.refundOrder(order.id, minor, `${attempt}-${minor ?? 'full'}`);
        onDone(minor ?? max);
      }}
    >
      <p>
        Refundable: <strong>{formatMoney({ amount: max, currency })}</strong>. Leave the amount empty to refund all of it.
      </p>
      <Field label={`Amount (${currency})`} hint="For example 12.50">
        {(props) => <input {...props} inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="Full refund" />}
      </Field>
    </ConfirmDialog>
  );
}

function CustomerCard({ order }: { order: Order }) {
  const a = order.shippingAddress;
  return (
    <Card id="card-customer" title="Customer">
      <dl>
        <dt>Name</dt>
        <dd>{order.customer?.name ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{order.customer?.email ? <a href={`mailto:${order.customer.email}`}>{order.customer.email}</a> : '—'}</dd>
        {order.customer?.phone && <Detail term="Phone">{order.customer.phone}</Detail>}
        <dt>Ship to</dt>
        <dd>
          {a ? (
            <address>
              {[a.name, ...(order.addressLines ?? [a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country])].filter(Boolean).map((line, i) => (
                <span key={i} className="address-line">
                  {line}
                </span>
              ))}
            </address>
          ) : (
            '—'
          )}
        </dd>
      </dl>
    </Card>
  );
}

function PaymentCard({ order }: { order: Order }) {
  const p = order.payment;
  const currency = (p?.amount ?? order.total).currency;
  return (
    <Card id="card-payment" title="Payment">
      {p ? (
        <dl>
          <Detail term="Status">
            <StatusBadge status={p.status} />
            {p.declineCode && <span className="subtle"> {humanize(p.declineCode)}</span>}
          </Detail>
          <Detail term="Card">
            {p.brand ? humanize(p.brand) : 'Card'} {p.last4 ? `•••• ${p.last4}` : ''}
            {p.expMonth && p.expYear ? <span className="subtle"> exp {String(p.expMonth).padStart(2, '0')}/{p.expYear}</span> : null}
          </Detail>
          <Detail term="Amount">{formatMoney(p.amount ?? order.total)}</Detail>
          {Boolean(order.paymentRecord?.amountCaptured) && <Detail term="Captured">{formatMoney({ amount: order.paymentRecord?.amountCaptured ?? 0, currency })}</Detail>}
          {Boolean(p.amountRefunded) && <Detail term="Refunded">{formatMoney({ amount: p.amountRefunded ?? 0, currency })}</Detail>}
          {order.paymentRecord?.refunds?.filter((r) => r.failedAt).map((r) => (
            <Detail key={r.refundId} term="Refund failed">
              {formatMoney({ amount: r.amount, currency })} <span className="subtle">{humanize(r.failureReason ?? 'failed')}, {formatDateTime(r.failedAt!)}</span>
            </Detail>
          ))}
          {p.captureBefore && order.status !== 'SHIPPED' && order.status !== 'DELIVERED' && (
            <Detail term="Capture before">{formatDateTime(p.captureBefore)}</Detail>
          )}
          {p.dispute && (
            <Detail term="Dispute">
              <StatusBadge status={p.dispute.status} /> <span className="subtle">{humanize(p.dispute.reason)}, {formatMoney({ amount: p.dispute.amount, currency })}</span>
              {p.dispute.evidenceDueBy && <div className="subtle small">Evidence due {formatDateTime(p.dispute.evidenceDueBy)}</div>}
            </Detail>
          )}
          {p.paymentIntentId && (
            <Detail term="Reference" className="mono small">
              {p.paymentIntentId}
            </Detail>
          )}
        </dl>
      ) : (
        <p className="subtle">No payment yet. The card is authorized after stock is reserved.</p>
      )}
    </Card>
  );
}

function ShipmentCard({ order, onChanged }: { order: Order; onChanged: (message: string) => void }) {
  // The reservation plans shipments (location, lines) before any has a label: until one is labelled the card
  // says why nothing shipped rather than listing untracked shipments.
  const shipments = order.shipments?.some((s) => s.trackingNumber) ? order.shipments : undefined;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  // A split order's shipments arrive apart: each one handed to the carrier can be marked delivered by itself.
  const [delivering, setDelivering] = useState<string>();

  const download = async (format: 'pdf' | 'zpl', shipmentId?: string) => {
    setBusy(`${shipmentId ?? 'S1'}-${format}`);
    setError(undefined);
    try {
      await downloadLabel(order, format, shipmentId);
    } catch (err) {
      if (!(err instanceof SessionExpiredError)) setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  const labelButtons = (shipmentId?: string, named = false) => (
    <div className="button-row">
      {(['pdf', 'zpl'] as const).map((format) => (
        <button key={format} type="button" className="btn" onClick={() => void download(format, shipmentId)} disabled={Boolean(busy)} aria-label={named ? `Shipment ${shipmentId} label (${format.toUpperCase()})` : undefined}>
          {busy === `${shipmentId ?? 'S1'}-${format}` ? 'Downloading…' : `Label (${format.toUpperCase()})`}
        </button>
      ))}
    </div>
  );

  const title = shipments && shipments.length > 1 ? `Shipments (${shipments.length})` : 'Shipment';
  return (
    <Card id="card-shipment" title={title}>
      {shipments ? (
        <>
          {shipments.map((s) => (
            <div key={s.id} className="shipment" data-shipment={s.id}>
              <dl>
                {shipments.length > 1 && <Detail term="Shipment">{`${s.id} from ${s.location}`}</Detail>}
                <Detail term="Status">
                  <StatusBadge status={s.status} />
                </Detail>
                <dt>Tracking</dt>
                <dd>
                  {s.trackingUrl ? (
                    <a className="mono" href={s.trackingUrl} target="_blank" rel="noopener noreferrer">
                      {s.trackingNumber}
                    </a>
                  ) : (
                    <span className="mono">{s.trackingNumber ?? '—'}</span>
                  )}
                </dd>
                {shipments.length > 1 && <Detail term="Items">{s.items.map((l) => `${l.quantity}× ${l.sku}`).join(', ')}</Detail>}
                {s.shippedAt && <Detail term="Shipped">{formatDateTime(s.shippedAt)}</Detail>}
                {s.deliveredAt && <Detail term="Delivered">{formatDateTime(s.deliveredAt)}</Detail>}
              </dl>
              {s.hasLabel !== false && s.trackingNumber && labelButtons(s.id, shipments.length > 1)}
              {shipments.length > 1 && s.status === 'SHIPPED' && (
                <div className="button-row">
                  <button type="button" className="btn" onClick={() => setDelivering(s.id)} aria-label={`Mark shipment ${s.id} delivered`}>
                    Mark delivered
                  </button>
                </div>
              )}
            </div>
          ))}
          <ProblemMessage error={error} />
          <ConfirmDialog
            open={delivering !== undefined}
            title={`Mark shipment ${delivering ?? ''} delivered?`}
            confirmLabel="Mark delivered"
            onClose={() => setDelivering(undefined)}
            onConfirm={async () => {
              const updated = await api.markShipmentDelivered(order.id, delivering!);
              onChanged(updated.status === 'DELIVERED' ? `Shipment ${delivering} marked delivered; every shipment is delivered, so the order is too.` : `Shipment ${delivering} marked delivered.`);
            }}
          >
            <p>Use this when the carrier confirmed this parcel’s delivery outside the tracking feed. The order becomes delivered once every shipment is.</p>
          </ConfirmDialog>
        </>
      ) : order.shipment ? (
        <>
          <dl>
            <dt>Tracking</dt>
            <dd>
              {order.shipment.trackingUrl ? (
                <a className="mono" href={order.shipment.trackingUrl} target="_blank" rel="noopener noreferrer">
                  {order.shipment.trackingNumber}
                </a>
              ) : (
                <span className="mono">{order.shipment.trackingNumber}</span>
              )}
            </dd>
            {(order.shipment.carrier || order.shipment.service) && <Detail term="Service">{[order.shipment.carrier, order.shipment.service].filter(Boolean).join(' · ')}</Detail>}
            {order.shipment.shippedAt && <Detail term="Shipped">{formatDateTime(order.shipment.shippedAt)}</Detail>}
            {order.shipment.deliveredAt && <Detail term="Delivered">{formatDateTime(order.shipment.deliveredAt)}</Detail>}
          </dl>
          {labelButtons()}
          <ProblemMessage error={error} />
        </>
      ) : (
        <p className="subtle">
          {order.status === 'CANCELLED' || order.status === 'FAILED'
            ? `Not shipped: the order ${order.status === 'CANCELLED' ? 'was cancelled' : 'failed'} before a label was made.`
            : 'Not shipped yet. A tracking number and label appear once the label step has run.'}
        </p>
      )}
      {order.returns?.length ? (
        <>
          <h3>Returns</h3>
          <ul className="plain">
            {order.returns.map((r) => (
              <li key={r.id}>
                <a href={href(`/returns/${encodeURIComponent(r.id)}`)}>{r.id.slice(-9)}</a> <StatusBadge status={r.status} />
                {r.refund ? ` ${formatMoney(r.refund)}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Card>
  );
}

/** The label is served only with the admin's bearer token, so fetch it and hand the browser a blob. */
async function downloadLabel(order: Order, format: 'pdf' | 'zpl', shipmentId?: string) {
  const response = await api.label(order.id, format, shipmentId);
  const tracking = order.shipments?.find((s) => s.id === shipmentId)?.trackingNumber ?? order.shipment?.trackingNumber;
  await saveLabel(response, `label-${tracking ?? order.id}.${format}`);
}

/** Saves a label response: a presigned URL (S3) or the file's bytes (local mode). */
export async function saveLabel(response: Response, fallbackName: string) {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    // A presigned URL (S3): the signature is the credential, so a plain navigation downloads it.
    const body = (await response.json()) as { url?: string };
    if (!body.url) throw new Error('The server returned no label.');
    save(body.url, fallbackName);
    return;
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  save(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function save(url: string, filename: string) {
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  // Browsers ignore `download` across origins (the S3 URL): open it in a new tab rather than leave the app.
  if (!url.startsWith('blob:')) link.target = '_blank';
  document.body.append(link);
  link.click();
  link.remove();
}
