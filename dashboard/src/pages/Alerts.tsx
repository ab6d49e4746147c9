import { useState } from 'react';
import { api } from '../api';
import { AsyncView, PageHeader, Pager } from '../components/ui';
import { formatDateTime, formatNumber } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';

export function Alerts({ route }: { route: Route }) {
  useTitle('Alerts');
  const cursor = route.query.get('cursor') ?? undefined;
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  // Alerts come from orders placed elsewhere: refresh now and then while the page is open.
  const alerts = useResource((signal) => api.listAlerts(cursor, signal), [cursor], { pollMs: 15000 });

  return (
    <section>
      <PageHeader title="Low-stock alerts" />
      <AsyncView resource={alerts} isEmpty={(page) => page.items.length === 0} empty="No low-stock alerts. Every SKU is above its threshold.">
        {(page) => (
          <>
            <div className="table-wrap">
              <table className="table" aria-label="Low-stock alerts">
                <thead>
                  <tr>
                    <th scope="col">Raised</th>
                    <th scope="col">SKU</th>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">Available</th>
                    <th scope="col" className="num">Threshold</th>
                    <th scope="col" className="num">Days of cover</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((alert) => (
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
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Alerts"
              hasPrevious={Boolean(cursor)}
              nextCursor={page.nextCursor}
              onPrevious={() => {
                const stack = [...previous];
                const back = stack.pop();
                setPrevious(stack);
                navigate('/alerts', { cursor: back });
              }}
              onNext={(next) => {
                setPrevious([...previous, cursor]);
                navigate('/alerts', { cursor: next });
              }}
            />
          </>
        )}
      </AsyncView>
    </section>
  );
}

/** Days of cover at the last 7 days' sales rate; no recent sales means no meaningful number. */
function DaysOfCover({ days }: { days: number | null | undefined }) {
  if (days === null || days === undefined || !Number.isFinite(days)) return <span className="subtle" title="No sales in the last 7 days">no recent sales</span>;
  const tone = days < 3 ? 'badge-danger' : days < 7 ? 'badge-warning' : 'badge-neutral';
  return <span className={`badge ${tone}`}>{days < 1 ? '< 1 day' : `${formatNumber(days, 1)} days`}</span>;
}
