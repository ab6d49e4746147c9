import { api } from '../api';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { PageHeader, StatusBadge, StatusOptions } from '../components/ui';
import { formatDateTime, formatMoney, humanize } from '../format';
import { useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import { PAYMENT_STATUSES } from '../types';

export function Payments({ route }: { route: Route }) {
  useTitle('Payments');
  const status = route.query.get('status') ?? '';
  const payments = usePagedList(route, (cursor, signal) => api.listPayments(status || undefined, cursor, signal), [status], {
    go: (cursor) => navigate('/payments', { status, cursor }),
  });

  return (
    <section>
      <PageHeader title="Payments">
        <div className="field inline-field">
          <label htmlFor="payment-status">Status</label>
          <select
            id="payment-status"
            value={status}
            onChange={(event) => {
              payments.resetPaging();
              navigate('/payments', { status: event.target.value });
            }}
          >
            <StatusOptions statuses={PAYMENT_STATUSES} />
          </select>
        </div>
      </PageHeader>
      <PagedTable
        list={payments}
        label="Payments"
        pagerLabel="Payments"
        empty={status ? `No payments with status “${humanize(status)}”.` : 'No payments yet.'}
        columns={[
          { label: 'Order' },
          { label: 'Card' },
          { label: 'Amount', num: true },
          { label: 'Captured', num: true },
          { label: 'Refunded', num: true },
          { label: 'Status' },
          { label: 'Updated' },
        ]}
        row={(payment, index) => (
          <tr key={`${payment.orderId}-${index}`} data-order-id={payment.orderId}>
            <td>
              <a className="mono" href={href(`/orders/${encodeURIComponent(payment.orderId)}`)}>
                {payment.orderId}
              </a>
              {payment.intentId && <div className="subtle small mono">{payment.intentId}</div>}
            </td>
            <td>
              {payment.card?.brand ? humanize(payment.card.brand) : '—'} {payment.card?.last4 ? `•••• ${payment.card.last4}` : ''}
            </td>
            <td className="num">{formatMoney(payment.amount)}</td>
            <td className="num">{payment.amountCaptured ? formatMoney({ amount: payment.amountCaptured, currency: payment.amount.currency }) : '—'}</td>
            <td className="num">{payment.amountRefunded ? formatMoney({ amount: payment.amountRefunded, currency: payment.amount.currency }) : '—'}</td>
            <td>
              <StatusBadge status={payment.status} />
              {payment.declineCode && <span className="subtle small"> {humanize(payment.declineCode)}</span>}
            </td>
            <td>{formatDateTime(payment.updatedAt ?? payment.createdAt)}</td>
          </tr>
        )}
      />
    </section>
  );
}
