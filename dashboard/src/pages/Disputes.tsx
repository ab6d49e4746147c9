import { api } from '../api';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { PageHeader, StatusBadge, StatusOptions } from '../components/ui';
import { formatDateTime, formatMoney, humanize } from '../format';
import { useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import { DISPUTE_STATUSES } from '../types';

/** GET /admin/disputes?status=: disputed charges, newest first, with the evidence deadline. */
export function Disputes({ route }: { route: Route }) {
  useTitle('Disputes');
  const status = route.query.get('status') ?? '';
  const disputes = usePagedList(route, (cursor, signal) => api.listDisputes(status || undefined, cursor, signal), [status], {
    go: (cursor) => navigate('/disputes', { status, cursor }),
  });
  return (
    <section>
      <PageHeader title="Disputes">
        <div className="field inline-field">
          <label htmlFor="dispute-status">Status</label>
          <select
            id="dispute-status"
            value={status}
            onChange={(event) => {
              disputes.resetPaging();
              navigate('/disputes', { status: event.target.value });
            }}
          >
            <StatusOptions statuses={[...DISPUTE_STATUSES]} />
          </select>
        </div>
      </PageHeader>
      <PagedTable
        list={disputes}
        label="Disputes"
        pagerLabel="Disputes"
        empty={status ? `No disputes with status “${humanize(status)}”.` : 'No disputes.'}
        columns={[{ label: 'Order' }, { label: 'Reason' }, { label: 'Amount', num: true }, { label: 'Status' }, { label: 'Evidence due' }, { label: 'Opened' }]}
        row={(row, index) => (
          <tr key={`${row.orderId}-${index}`} data-order-id={row.orderId}>
            <td>
              <a className="mono" href={href(`/orders/${encodeURIComponent(row.orderId)}`)}>
                {row.orderId}
              </a>
            </td>
            <td>{humanize(row.dispute.reason)}</td>
            <td className="num">{formatMoney({ amount: row.dispute.amount, currency: row.amount.currency })}</td>
            <td>
              <StatusBadge status={row.dispute.status} />
            </td>
            <td>{row.dispute.evidenceDueBy ? formatDateTime(row.dispute.evidenceDueBy) : '—'}</td>
            <td>{row.dispute.openedAt ? formatDateTime(row.dispute.openedAt) : '—'}</td>
          </tr>
        )}
      />
    </section>
  );
}
