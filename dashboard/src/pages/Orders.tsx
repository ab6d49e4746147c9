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
  const filters = { status: q.get('status') ?? '', email: q.get('email') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '' };
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
          status: filters.status || undefined,
          email: filters.email || undefined,
          from: dayBoundary(filters.from, 'start'),
          to: dayBoundary(filters.to, 'end'),
          cursor,
          limit,
        },
        signal,
      ),
    [filters.status, filters.email, filters.from, filters.to, limit],
    { go: (cursor) => go({ cursor }), pollMs: ORDERS_POLL_MS },
  );
  const cursor = orders.cursor;

  return (
    <section aria-labelledby="orders-title">
      <PageHeader title="Orders">
        <OrderSearch />
      </PageHeader>
      <FilterBar
        key={`${filters.status}|${filters.email}|${filters.from}|${filters.to}`}
        initial={filters}
        onApply={(next) => {
          orders.resetPaging();
          go(next);
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
        <a className="mono" href={href(`/orders/${encodeURIComponent(order.id)}`)}>
          {order.id}
        </a>
      </td>
      <td>{formatDateTime(order.createdAt)}</td>
      <td>{order.email ?? '—'}</td>
      <td className="num">{order.lines ?? '—'}</td>
      <td className="num">{formatMoney(order.total)}</td>
      <td>
        <StatusBadge status={order.status} />
        {order.failureReason && <span className="subtle"> {humanize(order.failureReason)}</span>}
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

type Filters = { status: string; email: string; from: string; to: string };

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
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => {
            const cleared = { status: '', email: '', from: '', to: '' };
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

function OrderSearch() {
  const [id, setId] = useState('');
  return (
    <form
      className="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const value = id.trim();
        if (value) navigate(`/orders/${encodeURIComponent(value)}`);
      }}
    >
      <label htmlFor="order-search" className="visually-hidden">
        Order id
      </label>
      <input id="order-search" type="search" placeholder="Find an order by id" value={id} onChange={(e) => setId(e.target.value)} />
      <button type="submit" className="btn">
        Open
      </button>
    </form>
  );
}
