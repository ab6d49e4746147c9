import { useState } from 'react';
import { api } from '../api';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { PageHeader, StatusBadge, StatusOptions } from '../components/ui';
import { dayBoundary, formatDateTime, formatMoney, humanize } from '../format';
import { useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import { ORDER_STATUSES, type OrderSummary } from '../types';

/** Statuses are polled this often while the tab is visible, so the table follows the workflow live. */
export const ORDERS_POLL_MS = 4000;

export function Orders({ route }: { route: Route }) {
  useTitle('Orders');
  const q = route.query;
  const filters = {
    q: q.get('q') ?? '',
    status: q.get('status') ?? '',
    email: q.get('email') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    // 'true' or '': the overview's "needs attention" queue links here with it.
    needsAttention: q.get('needsAttention') === 'true' ? 'true' : '',
  };
  // Page size is part of the URL like the filters (1–100, the API's range); 25 is the API's default.
  const requestedLimit = Number(q.get('limit'));
  const limit = Number.isInteger(requestedLimit) && requestedLimit >= 1 && requestedLimit <= 100 ? requestedLimit : 25;
  const go = (next: Record<string, string | undefined>) =>
    navigate('/orders', { ...filters, limit: limit === 25 ? undefined : String(limit), cursor: undefined, ...next });

  const orders = usePagedList(
    route,
    (cursor, signal) =>
      api.listOrders(
        {
          q: filters.q || undefined,
          status: filters.status || undefined,
          email: filters.email || undefined,
          from: dayBoundary(filters.from, 'start'),
          to: dayBoundary(filters.to, 'end'),
          needsAttention: filters.needsAttention || undefined,
          cursor,
          limit,
        },
        signal,
      ),
    [filters.q, filters.status, filters.email, filters.from, filters.to, filters.needsAttention, limit],
    { go: (cursor) => go({ cursor }), pollMs: ORDERS_POLL_MS },
  );
  const cursor = orders.cursor;

  return (
    <section aria-labelledby="orders-title">
      <PageHeader title="Orders">
        <OrderSearch
          key={filters.q}
          initial={filters.q}
          onSearch={(value) => {
            orders.resetPaging();
            go({ q: value || undefined });
          }}
        />
        <ExportButton filters={filters} />
      </PageHeader>
      <FilterBar
        key={`${filters.status}|${filters.email}|${filters.from}|${filters.to}|${filters.needsAttention}`}
        initial={{ status: filters.status, email: filters.email, from: filters.from, to: filters.to, needsAttention: filters.needsAttention }}
        onApply={(next) => {
          orders.resetPaging();
          go({ ...next, q: filters.q || undefined });
        }}
      />
      <PagedTable
        list={orders}
        label="Orders"
        pagerLabel="Orders"
        empty={<EmptyOrders filtered={Object.values(filters).some(Boolean)} firstPage={cursor ? href('/orders', { ...filters, limit: q.get('limit') }) : undefined} />}
        before={() => (
          <p className="live" aria-live="off">
            <span className="live-dot" aria-hidden="true" /> Statuses refresh every {ORDERS_POLL_MS / 1000} s
          </p>
        )}
        columns={[{ label: 'Order' }, { label: 'Placed' }, { label: 'Customer' }, { label: 'Lines', num: true }, { label: 'Total', num: true }, { label: 'Status' }]}
        row={(order) => <OrderRow key={order.id} order={order} />}
        footer={
          <div className="field inline-field">
            <label htmlFor="orders-limit">Rows per page</label>
            <select
              id="orders-limit"
              value={limit}
              onChange={(event) => {
                orders.resetPaging();
                go({ limit: event.target.value === '25' ? undefined : event.target.value });
              }}
            >
              {[...new Set([10, 25, 50, 100, limit])].sort((a, b) => a - b).map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
        }
      />
    </section>
  );
}

function OrderRow({ order }: { order: OrderSummary }) {
  return (
    <tr data-order-id={order.id}>
      <td>
        <a href={href(`/orders/${encodeURIComponent(order.id)}`)}>
          <strong>{order.number ? `#${order.number}` : '—'}</strong> <span className="mono subtle">{order.id.slice(0, 8)}</span>
        </a>
      </td>
      <td>{formatDateTime(order.createdAt)}</td>
      <td>
        {order.name ?? '—'}
        <br />
        <span className="subtle">{order.email ?? '—'}</span>
      </td>
      <td className="num">{order.lines ?? '—'}</td>
      <td className="num">{formatMoney(order.total)}</td>
      <td>
        <StatusBadge status={order.status} />
        {order.failureReason && <span className="subtle"> {humanize(order.failureReason)}</span>}
        {order.needsAttention && (
          <span className="attention" title={order.needsAttention.reason}>
            Needs attention: {order.needsAttention.reason}
          </span>
        )}
      </td>
    </tr>
  );
}

function EmptyOrders({ filtered, firstPage }: { filtered: boolean; firstPage?: string }) {
  // DynamoDB may hand out a cursor for a page that turns out empty: that is the end, not "no orders".
  if (firstPage) {
    return (
      <>
        No more orders. <a href={firstPage}>Back to the first page</a>
      </>
    );
  }
  return filtered ? (
    <>
      No orders match these filters. <a href={href('/orders')}>Clear the filters</a>
    </>
  ) : (
    <>No orders yet. Orders placed through the API appear here within seconds.</>
  );
}

type Filters = { status: string; email: string; from: string; to: string; needsAttention: string };

function FilterBar({ initial, onApply }: { initial: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(initial);
  const set = (key: keyof Filters) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft({ ...draft, [key]: event.target.value });
  const dateError = draft.from && draft.to && draft.from > draft.to ? 'The “from” date is after the “to” date.' : undefined;
  return (
    <form
      className="filters"
      aria-label="Filter orders"
      onSubmit={(event) => {
        event.preventDefault();
        if (!dateError) onApply({ ...draft, email: draft.email.trim() });
      }}
    >
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={draft.status} onChange={set('status')}>
          <StatusOptions statuses={ORDER_STATUSES} />
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-email">Customer email</label>
        <input id="filter-email" type="email" value={draft.email} onChange={set('email')} placeholder="name@example.com" />
      </div>
      <div className="field">
        <label htmlFor="filter-from">From</label>
        <input id="filter-from" type="date" value={draft.from} onChange={set('from')} aria-invalid={dateError ? true : undefined} />
      </div>
      <div className="field">
        <label htmlFor="filter-to">To</label>
        <input id="filter-to" type="date" value={draft.to} onChange={set('to')} aria-invalid={dateError ? true : undefined} />
      </div>
      <label className="checkbox filter-attention">
        <input type="checkbox" checked={draft.needsAttention === 'true'} onChange={(event) => setDraft({ ...draft, needsAttention: event.target.checked ? 'true' : '' })} /> Needs attention only
      </label>
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => {
            const cleared = { status: '', email: '', from: '', to: '', needsAttention: '' };
            setDraft(cleared);
            onApply(cleared);
          }}
        >
          Clear
        </button>
      </div>
      {dateError && (
        <p className="field-error filters-error" role="alert">
          {dateError}
        </p>
      )}
    </form>
  );
}

/** One box for everything people know an order by: #1001, an id (or its first 8 characters), email or name. */
function OrderSearch({ initial, onSearch }: { initial: string; onSearch: (value: string) => void }) {
  const [value, setValue] = useState(initial);
  const trimmed = value.trim();
  const tooShort = trimmed !== '' && !/^#?\d+$/.test(trimmed) && [...trimmed].length < 3;
  return (
    <form
      className="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        if (!tooShort) onSearch(trimmed);
      }}
    >
      <label htmlFor="order-search" className="visually-hidden">
        Search orders
      </label>
      <input
        id="order-search"
        type="search"
        placeholder="#1001, id, email or name"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={tooShort ? true : undefined}
        aria-describedby={tooShort ? 'order-search-error' : undefined}
      />
      <button type="submit" className="btn">
        Search
      </button>
      {tooShort && (
        <span id="order-search-error" className="field-error">
          Type at least 3 characters, or an order number.
        </span>
      )}
    </form>
  );
}

/** Downloads the CSV of the current status, attention and date filters (the API refuses more than 10,000 rows). */
function ExportButton({ filters }: { filters: { status: string; from: string; to: string; needsAttention: string } }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <span className="export">
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            const blob = await api.exportOrders({
              status: filters.status || undefined,
              from: dayBoundary(filters.from, 'start'),
              to: dayBoundary(filters.to, 'end'),
              needsAttention: filters.needsAttention || undefined,
            });
            const url = URL.createObjectURL(blob);
            const a = document.createElement('a');
            a.href = url;
            a.download = `orders-${[filters.status, filters.needsAttention && 'needs-attention', filters.from, filters.to].filter(Boolean).join('_') || 'all'}.csv`;
            a.click();
            setTimeout(() => URL.revokeObjectURL(url), 1000);
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
