import { useState } from 'react';
import { api } from '../api';
import { AsyncView, PageHeader, Pager, StatusBadge } from '../components/ui';
import { formatDateTime, formatMoney, humanize } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import { PAYMENT_STATUSES } from '../types';


export function Payments({ route }: { route: Route }) {
  useTitle('Payments');
  const status = route.query.get('status') ?? '';
  const cursor = route.query.get('cursor') ?? undefined;
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  const payments = useResource((signal) => api.listPayments(status || undefined, cursor, signal), [status, cursor]);

  return (
    <section>
      <PageHeader title="Payments">
        <div className="field inline-field">
          <label htmlFor="payment-status">Status</label>
          <select
            id="payment-status"
            value={status}
            onChange={(event) => {
              setPrevious([]);
              navigate('/payments', { status: event.target.value });
            }}
          >
            <option value="">Any status</option>
            {PAYMENT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
      </PageHeader>
      <AsyncView resource={payments} isEmpty={(page) => page.items.length === 0} empty={status ? `No payments with status “${humanize(status)}”.` : 'No payments yet.'}>
        {(page) => (
          <>
            <div className="table-wrap">
              <table className="table" aria-label="Payments">
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Card</th>
                    <th scope="col" className="num">Amount</th>
                    <th scope="col" className="num">Captured</th>
                    <th scope="col" className="num">Refunded</th>
                    <th scope="col">Status</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((payment, index) => (
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
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Payments"
              hasPrevious={Boolean(cursor)}
              nextCursor={page.nextCursor}
              onPrevious={() => {
                const stack = [...previous];
                const back = stack.pop();
                setPrevious(stack);
                navigate('/payments', { status, cursor: back });
              }}
              onNext={(next) => {
                setPrevious([...previous, cursor]);
                navigate('/payments', { status, cursor: next });
              }}
            />
          </>
        )}
      </AsyncView>
    </section>
  );
}
