import { api } from '../api';
import { AsyncView, PageHeader } from '../components/ui';
import { formatMoney, formatNumber } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import type { Money, Overview as OverviewData } from '../types';

const money = (list: Money[]) => (list.length ? list.map(formatMoney).join(' · ') : formatMoney({ amount: 0, currency: 'USD' }));

/** The home page: tiles for the range, orders per day, and the queue of what needs attention. */
export function Overview({ route }: { route: Route }) {
  useTitle('Overview');
  const from = route.query.get('from') ?? '';
  const to = route.query.get('to') ?? '';
  const overview = useResource((signal) => api.overview({ from: from || undefined, to: to || undefined }, signal), [from, to], { pollMs: 30000 });
  return (
    <section aria-labelledby="overview-title">
      <PageHeader title="Overview">
        <form
          className="search"
          aria-label="Overview range"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            navigate('/overview', { from: String(data.get('from') || '') || undefined, to: String(data.get('to') || '') || undefined });
          }}
        >
          <label htmlFor="overview-from">From</label>
          <input id="overview-from" name="from" type="date" defaultValue={from} />
          <label htmlFor="overview-to">To</label>
          <input id="overview-to" name="to" type="date" defaultValue={to} />
          <button type="submit" className="btn">
            Show
          </button>
        </form>
      </PageHeader>
      <AsyncView resource={overview}>{(data) => <OverviewBody data={data} />}</AsyncView>
    </section>
  );
}

function OverviewBody({ data }: { data: OverviewData }) {
  const days = { from: data.from.slice(0, 10), to: data.to.slice(0, 10) };
  const tiles: { label: string; value: string; link?: string }[] = [
    { label: 'Orders placed', value: formatNumber(data.ordersPlaced), link: href('/orders', days) },
    { label: 'Shipped', value: formatNumber(data.ordersShipped), link: href('/orders', { ...days, status: 'SHIPPED' }) },
    { label: 'Cancelled', value: formatNumber(data.ordersCancelled), link: href('/orders', { ...days, status: 'CANCELLED' }) },
    { label: 'Failed', value: formatNumber(data.ordersFailed), link: href('/orders', { ...days, status: 'FAILED' }) },
    { label: 'Revenue', value: money(data.revenue) },
    { label: 'Average order', value: money(data.averageOrderValue) },
  ];
  const max = Math.max(1, ...data.perDay.map((d) => d.orders));
  // Each item opens the list it counts. Compensation failures, stuck workflows and open disputes all flag the
  // order (`needsAttention`), so those open the orders list filtered to flagged orders.
  const queue = [
    { id: 'attention', label: 'Orders needing attention (compensation failures, stuck workflows)', count: data.needsAttention.orders, link: href('/orders', { ...days, needsAttention: 'true' }) },
    { id: 'failed', label: 'Failed orders (declined payments, stock, fulfilment)', count: data.ordersFailed, link: href('/orders', { ...days, status: 'FAILED' }) },
    { id: 'low-stock', label: 'SKUs at or below their low-stock threshold', count: data.needsAttention.lowStock, link: href('/alerts', { open: 'true' }) },
    { id: 'disputes', label: 'Open disputes', count: data.needsAttention.disputes, link: href('/orders', { ...days, needsAttention: 'true' }) },
  ];
  return (
    <>
      <p className="subtle">
        {days.from} to {days.to} (UTC)
      </p>
      <ul className="tiles" aria-label="Totals">
        {tiles.map((t) => (
          <li key={t.label} className="tile" data-tile={t.label}>
            <span className="tile-label">{t.label}</span>
            {t.link ? (
              <a className="tile-value" href={t.link}>
                {t.value}
              </a>
            ) : (
              <span className="tile-value">{t.value}</span>
            )}
          </li>
        ))}
      </ul>
      <h2>Orders per day</h2>
      <ol className="chart" aria-label="Orders per day">
        {data.perDay.map((d) => (
          <li key={d.date} className="chart-day" data-date={d.date} title={`${d.date}: ${d.orders} orders, ${money(d.revenue)}`}>
            <a href={href('/orders', { from: d.date, to: d.date })} className="chart-bar-wrap" aria-label={`${d.date}: ${d.orders} orders`}>
              <span className={`chart-bar h${Math.round((d.orders / max) * 10)}`} />
            </a>
            <span className="chart-count">{d.orders}</span>
            <span className="chart-date">{d.date.slice(5)}</span>
          </li>
        ))}
      </ol>
      <h2>Needs attention</h2>
      <ul className="queue" aria-label="Needs attention">
        {queue.map((item) => (
          <li key={item.id} data-queue={item.id} className={item.count ? 'queue-item queue-open' : 'queue-item'}>
            <a href={item.link}>
              <strong>{formatNumber(item.count)}</strong> {item.label}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
