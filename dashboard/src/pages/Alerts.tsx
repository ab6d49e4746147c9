import { api } from '../api';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { PageHeader } from '../components/ui';
import { formatDateTime, formatNumber } from '../format';
import { useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';

export function Alerts({ route }: { route: Route }) {
  useTitle('Alerts');
  // Alerts come from orders placed elsewhere: refresh now and then while the page is open.
  const open = route.query.get('open') === 'true';
  const alerts = usePagedList(route, (cursor, signal) => api.listAlerts(cursor, signal, open), [open], {
    go: (cursor) => navigate('/alerts', { cursor, open: open ? 'true' : undefined }),
    pollMs: 15000,
  });

  return (
    <section>
      <PageHeader title="Low-stock alerts">
        <label className="inline-field">
          <input type="checkbox" checked={open} onChange={(e) => navigate('/alerts', { open: e.target.checked ? 'true' : undefined })} /> Open alerts only
        </label>
      </PageHeader>
      <PagedTable
        list={alerts}
        label="Low-stock alerts"
        pagerLabel="Alerts"
        empty="No low-stock alerts. Every SKU is above its threshold."
        columns={[{ label: 'Raised' }, { label: 'SKU' }, { label: 'Product' }, { label: 'Available', num: true }, { label: 'Threshold', num: true }, { label: 'Days of cover', num: true }, { label: 'State' }]}
        row={(alert) => (
          <tr key={alert.id} data-sku={alert.sku} className={alert.available <= 0 ? 'row-low' : undefined}>
            <td>{formatDateTime(alert.createdAt)}</td>
            <td>
              <a className="mono" href={href(`/inventory/${encodeURIComponent(alert.sku)}`)}>
                {alert.sku}
              </a>
            </td>
            <td>{alert.name ?? '—'}</td>
            <td className="num strong">{formatNumber(alert.available)}</td>
            <td className="num">{formatNumber(alert.threshold)}</td>
            <td className="num">
              <DaysOfCover days={alert.daysOfCover} />
            </td>
            <td>{alert.resolvedAt ? <span className="badge badge-neutral">Resolved {formatDateTime(alert.resolvedAt)}</span> : <span className="badge badge-warning">Open</span>}</td>
          </tr>
        )}
      />
    </section>
  );
}

/** Days of cover at the last 7 days' sales rate; no recent sales means no meaningful number. */
function DaysOfCover({ days }: { days: number | null | undefined }) {
  if (days === null || days === undefined || !Number.isFinite(days)) return <span className="subtle" title="No sales in the last 7 days">no recent sales</span>;
  const tone = days < 3 ? 'badge-danger' : days < 7 ? 'badge-warning' : 'badge-neutral';
  return <span className={`badge ${tone}`}>{days < 1 ? '< 1 day' : `${formatNumber(days, 1)} days`}</span>;
}
