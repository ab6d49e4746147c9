import { useState } from 'react';
import { api, SessionExpiredError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { AsyncView, Card, Detail, Field, Notice, PageHeader, ProblemMessage, StatusBadge, StatusOptions } from '../components/ui';
import { formatDateTime, formatMoney, humanize, readableActor } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import type { ReturnView } from '../types';
import { saveLabel } from './OrderDetail';

/** SPEC.md "Returns" statuses, in the order a return moves through them. */
export const RETURN_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED'] as const;
const shortId = (id: string) => id.slice(-9);

/** The returns queue: by default what waits for a decision (REQUESTED), oldest first. */
export function Returns({ route }: { route: Route }) {
  useTitle('Returns');
  // The queue opens on what waits for a decision; "Any status" is kept in the URL as ALL.
  const raw = route.query.get('status') ?? 'REQUESTED';
  const status = raw === 'ALL' ? '' : raw;
  const returns = usePagedList(route, (cursor, signal) => api.listReturns(status || undefined, cursor, signal), [status], {
    go: (cursor) => navigate('/returns', { status: raw, cursor }),
    pollMs: 15000,
  });
  return (
    <section>
      <PageHeader title="Returns">
        <div className="field inline-field">
          <label htmlFor="return-status">Status</label>
          <select
            id="return-status"
            value={status}
            onChange={(event) => {
              returns.resetPaging();
              navigate('/returns', { status: event.target.value || 'ALL' });
            }}
          >
            <StatusOptions statuses={RETURN_STATUSES} />
          </select>
        </div>
      </PageHeader>
      <PagedTable
        list={returns}
        label="Returns"
        pagerLabel="Returns"
        empty={status ? `No returns with status “${humanize(status)}”.` : 'No returns yet.'}
        columns={[{ label: 'Return' }, { label: 'Order' }, { label: 'Items' }, { label: 'Location' }, { label: 'Status' }, { label: 'Requested' }]}
        row={(r) => (
          <tr key={r.id} data-return={r.id}>
            <td>
              <a className="mono" href={href(`/returns/${encodeURIComponent(r.id)}`)}>
                {shortId(r.id)}
              </a>
            </td>
            <td>
              <a className="mono" href={href(`/orders/${encodeURIComponent(r.orderId)}`)}>
                {r.orderId.slice(0, 8)}
              </a>
            </td>
            <td>{r.items.map((l) => `${l.quantity}× ${l.sku}`).join(', ')}</td>
            <td className="mono">{r.location}</td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{formatDateTime(r.createdAt)}</td>
          </tr>
        )}
      />
    </section>
  );
}

type Action = 'approve' | 'reject' | 'receive' | null;

export function ReturnDetail({ id }: { id: string }) {
  useTitle(`Return ${shortId(id)}`);
  const ret = useResource((signal) => api.getReturn(id, signal), [id]);
  const [action, setAction] = useState<Action>(null);
  const [notice, setNotice] = useState<string>();
  const done = (message: string) => {
    setNotice(message);
    ret.reload(true);
  };

  return (
    <section>
      <p className="breadcrumb">
        <a href={href('/returns')}>← Returns</a>
      </p>
      <AsyncView resource={ret}>
        {(r) => (
          <>
            <PageHeader title={`Return ${shortId(r.id)}`}>
              <StatusBadge status={r.status} />
              {r.status === 'REQUESTED' && (
                <>
                  <button type="button" className="btn btn-primary" onClick={() => setAction('approve')}>
                    Approve
                  </button>
                  <button type="button" className="btn btn-danger" onClick={() => setAction('reject')}>
                    Reject
                  </button>
                </>
              )}
              {(r.status === 'APPROVED' || r.status === 'RECEIVED') && (
                <button type="button" className="btn btn-primary" onClick={() => setAction('receive')}>
                  {r.status === 'RECEIVED' ? 'Finish receipt' : 'Receive'}
                </button>
              )}
            </PageHeader>
            <Notice>{notice}</Notice>
            <div className="cards">
              <Card id="card-return" title="Return">
                <dl>
                  <Detail term="Order">
                    <a className="mono" href={href(`/orders/${encodeURIComponent(r.orderId)}`)}>
                      {r.orderId}
                    </a>
                  </Detail>
                  <Detail term="Back to">{r.location}</Detail>
                  {r.trackingNumber && r.status !== 'REQUESTED' && <Detail term="Return tracking">{r.trackingNumber}</Detail>}
                  {r.arrivedAt && <Detail term="Arrived">{formatDateTime(r.arrivedAt)}</Detail>}
                  {r.rejectionReason && <Detail term="Rejected because">{r.rejectionReason}</Detail>}
                  {r.refund && <Detail term="Refund">{formatMoney({ amount: r.refund.amount, currency: r.refund.currency })}</Detail>}
                </dl>
                {r.hasLabel && <ReturnLabelButtons id={r.id} tracking={r.trackingNumber} />}
              </Card>
            </div>
            <h2>Items</h2>
            <div className="table-wrap">
              <table className="table" aria-label="Returned items">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col" className="num">Quantity</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Received</th>
                  </tr>
                </thead>
                <tbody>
                  {r.items.map((line) => (
                    <tr key={`${line.shipmentId}-${line.sku}`}>
                      <td className="mono">{line.sku}</td>
                      <td className="num">{line.quantity}</td>
                      <td>{line.reason ?? '—'}</td>
                      <td>
                        {(r.received ?? [])
                          .filter((x) => x.sku === line.sku && x.shipmentId === line.shipmentId)
                          .map((x) => `${x.quantity} ${x.disposition === 'restock' ? 'restocked' : 'scrapped'}`)
                          .join(', ') || '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Timeline</h2>
            <ol className="timeline" aria-label="Return timeline">
              {r.timeline.map((t, i) => (
                <li key={i}>
                  <StatusBadge status={t.status} /> {formatDateTime(t.at)} — {t.reason} <span className="subtle">({readableActor(t.actor)})</span>
                </li>
              ))}
            </ol>

            <ConfirmDialog open={action === 'approve'} title="Approve this return?" confirmLabel="Approve" onClose={() => setAction(null)} onConfirm={async () => {
              const approved = await api.approveReturn(r.id);
              done(`Approved. Return label ${approved.trackingNumber ?? ''} created.`);
            }}>
              <p>A return label from the customer to {r.location} is created and emailed.</p>
            </ConfirmDialog>
            <RejectDialog open={action === 'reject'} onClose={() => setAction(null)} onReject={async (reason) => {
              await api.rejectReturn(r.id, reason);
              done('Rejected. The customer was told why.');
            }} />
            <ReceiveDialog ret={r} open={action === 'receive'} onClose={() => setAction(null)} onReceive={async (items) => {
              const received = await api.receiveReturn(r.id, items);
              done(received.status === 'REFUNDED' && received.refund ? `Received and refunded ${formatMoney(received.refund)}.` : 'Received.');
            }} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function ReturnLabelButtons({ id, tracking }: { id: string; tracking?: string }) {
  const [error, setError] = useState<unknown>();
  const download = async (format: 'pdf' | 'zpl') => {
    setError(undefined);
    try {
      await saveLabel(await api.returnLabel(id, format), `return-label-${tracking ?? id}.${format}`);
    } catch (err) {
      if (!(err instanceof SessionExpiredError)) setError(err);
    }
  };
  return (
    <>
      <div className="button-row">
        <button type="button" className="btn" onClick={() => void download('pdf')}>
          Return label (PDF)
        </button>
        <button type="button" className="btn" onClick={() => void download('zpl')}>
          Return label (ZPL)
        </button>
      </div>
      <ProblemMessage error={error} />
    </>
  );
}

function RejectDialog({ open, onClose, onReject }: { open: boolean; onClose: () => void; onReject: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  return (
    <ConfirmDialog open={open} title="Reject this return?" confirmLabel="Reject" danger onClose={onClose} onConfirm={async () => {
      if (!reason.trim()) throw new Error('Give the customer a reason.');
      await onReject(reason.trim());
    }}>
      <Field label="Reason (sent to the customer)">{(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}</Field>
    </ConfirmDialog>
  );
}

/** One row per returned SKU: how many arrived and whether they go back on the shelf or are scrapped. */
function ReceiveDialog({
  ret,
  open,
  onClose,
  onReceive,
}: {
  ret: ReturnView;
  open: boolean;
  onClose: () => void;
  onReceive: (items: { sku: string; quantity: number; disposition: 'restock' | 'scrap' }[]) => Promise<void>;
}) {
  const skus = [...new Map(ret.items.map((l) => [l.sku, ret.items.filter((x) => x.sku === l.sku).reduce((n, x) => n + x.quantity, 0)])).entries()];
  const [rows, setRows] = useState<Record<string, { quantity: number; disposition: 'restock' | 'scrap' }>>(() =>
    Object.fromEntries(skus.map(([sku, quantity]) => [sku, { quantity, disposition: 'restock' as const }])),
  );
  const set = (sku: string, change: Partial<{ quantity: number; disposition: 'restock' | 'scrap' }>) => setRows((r) => ({ ...r, [sku]: { ...r[sku]!, ...change } }));
  return (
    <ConfirmDialog open={open} title="Receive the returned items" confirmLabel="Receive and refund" onClose={onClose} onConfirm={async () => {
      const items = Object.entries(rows).filter(([, r]) => r.quantity > 0).map(([sku, r]) => ({ sku, quantity: r.quantity, disposition: r.disposition }));
      if (!items.length && ret.status === 'APPROVED') throw new Error('Receive at least one unit.');
      await onReceive(items.length ? items : skus.map(([sku]) => ({ sku, quantity: 1, disposition: 'restock' as const })));
    }}>
      {skus.map(([sku, max]) => (
        <fieldset key={sku} data-sku={sku}>
          <legend className="mono">{sku}</legend>
          <Field label={`Received (of ${max})`}>
            {(props) => <input {...props} type="number" min={0} max={max} value={rows[sku]?.quantity ?? 0} onChange={(e) => set(sku, { quantity: Math.max(0, Math.min(max, Number(e.target.value))) })} />}
          </Field>
          <Field label="Disposition">
            {(props) => (
              <select {...props} value={rows[sku]?.disposition} onChange={(e) => set(sku, { disposition: e.target.value as 'restock' | 'scrap' })}>
                <option value="restock">Restock at {ret.location}</option>
                <option value="scrap">Scrap</option>
              </select>
            )}
          </Field>
        </fieldset>
      ))}
      <p className="subtle">The received units are refunded at the price the customer paid.</p>
    </ConfirmDialog>
  );
}
