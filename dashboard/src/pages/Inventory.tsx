import { useState } from 'react';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { AsyncView, Field, PageHeader, Pager } from '../components/ui';
import { formatDateTime, formatNumber } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import type { InventoryLevel } from '../types';

export function Inventory({ route }: { route: Route }) {
  useTitle('Inventory');
  const cursor = route.query.get('cursor') ?? undefined;
  const lowOnly = route.query.get('low') === '1';
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  const [adjusting, setAdjusting] = useState<InventoryLevel | null>(null);
  const [notice, setNotice] = useState<string>();
  const inventory = useResource(
    async (signal) => {
      // Levels carry no names; the catalogue does. Names are a nicety, so a failed product list is ignored.
      const [levels, products] = await Promise.all([api.listInventory(cursor, signal), api.listProducts(undefined, signal).catch(() => null)]);
      const names = new Map(products?.items.map((product) => [product.sku, product.name]));
      return { ...levels, items: levels.items.map((level) => ({ ...level, name: level.name ?? names.get(level.sku) })) };
    },
    [cursor],
  );

  return (
    <section>
      <PageHeader title="Inventory">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={lowOnly}
            onChange={(event) => navigate('/inventory', { cursor, low: event.target.checked ? '1' : undefined }, { replace: true })}
          />
          Low stock only
        </label>
      </PageHeader>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <AsyncView resource={inventory} isEmpty={(page) => page.items.length === 0} empty="No stock levels yet. Create a product, then add stock here.">
        {(page) => {
          const rows = lowOnly ? page.items.filter((level) => level.low) : page.items;
          const lowCount = page.items.filter((level) => level.low).length;
          return (
            <>
              {lowCount > 0 && (
                <p className="inline-warning">
                  {lowCount} SKU{lowCount === 1 ? ' is' : 's are'} at or below the low-stock threshold.
                </p>
              )}
              <div className="table-wrap">
                <table className="table" aria-label="Stock levels">
                  <thead>
                    <tr>
                      <th scope="col">SKU</th>
                      <th scope="col" className="num">On hand</th>
                      <th scope="col" className="num">Reserved</th>
                      <th scope="col" className="num">Available</th>
                      <th scope="col" className="num">Threshold</th>
                      <th scope="col">Stock</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((level) => (
                      <tr key={level.sku} className={level.low ? 'row-low' : undefined} data-sku={level.sku}>
                        <td>
                          <span className="mono">{level.sku}</span>
                          {level.name && <div className="subtle small">{level.name}</div>}
                        </td>
                        <td className="num">{formatNumber(level.onHand)}</td>
                        <td className="num">{formatNumber(level.reserved)}</td>
                        <td className="num strong">{formatNumber(level.available)}</td>
                        <td className="num">{formatNumber(level.lowStockThreshold)}</td>
                        <td>{level.low ? <span className="badge badge-danger">Low stock</span> : <span className="badge badge-success">OK</span>}</td>
                        <td className="actions">
                          <button type="button" className="btn btn-small" onClick={() => setAdjusting(level)} aria-label={`Adjust stock of ${level.sku}`}>
                            Adjust
                          </button>
                          <a className="btn btn-small btn-ghost" href={href(`/inventory/${encodeURIComponent(level.sku)}`)} aria-label={`Adjustment history of ${level.sku}`}>
                            History
                          </a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {rows.length === 0 && <p className="state state-empty">No SKU on this page is low on stock.</p>}
              <Pager
                label="Inventory"
                hasPrevious={Boolean(cursor)}
                nextCursor={page.nextCursor}
                onPrevious={() => {
                  const stack = [...previous];
                  const back = stack.pop();
                  setPrevious(stack);
                  navigate('/inventory', { cursor: back, low: lowOnly ? '1' : undefined });
                }}
                onNext={(next) => {
                  setPrevious([...previous, cursor]);
                  navigate('/inventory', { cursor: next, low: lowOnly ? '1' : undefined });
                }}
              />
            </>
          );
        }}
      </AsyncView>
      {adjusting && (
        <AdjustDialog
          level={adjusting}
          onClose={() => setAdjusting(null)}
          onDone={(updated, delta) => {
            setNotice(`${updated.sku}: ${delta > 0 ? '+' : ''}${delta} recorded. ${formatNumber(updated.available)} available now.`);
            inventory.reload(true);
          }}
        />
      )}
    </section>
  );
}

export function AdjustDialog({
  level,
  onClose,
  onDone,
}: {
  level: Pick<InventoryLevel, 'sku'> & Partial<InventoryLevel>;
  onClose: () => void;
  onDone: (updated: InventoryLevel, delta: number) => void;
}) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const parsed = /^[+-]?\d+$/.test(delta.trim()) ? Number(delta.trim()) : undefined;
  const after = parsed !== undefined && level.available !== undefined ? level.available + parsed : undefined;
  return (
    <ConfirmDialog
      open
      title={`Adjust stock of ${level.sku}`}
      confirmLabel="Record adjustment"
      onClose={onClose}
      onConfirm={async () => {
        if (parsed === undefined || parsed === 0 || !Number.isSafeInteger(parsed)) throw new Error('Enter a whole number of units other than 0, such as 20 or -3.');
        if (!reason.trim()) throw new Error('Say why the stock changes (for example “Restock from supplier”).');
        const updated = await api.adjustInventory(level.sku, parsed, reason.trim());
        onDone({ ...level, ...updated, sku: level.sku } as InventoryLevel, parsed);
      }}
    >
      {level.available !== undefined && (
        <p>
          On hand {formatNumber(level.onHand)}, reserved {formatNumber(level.reserved)}, available <strong>{formatNumber(level.available)}</strong>.
        </p>
      )}
      <Field label="Change in units" hint={after !== undefined ? `Available after: ${formatNumber(after)}` : 'Positive adds stock, negative removes it.'}>
        {(props) => <input {...props} inputMode="numeric" autoComplete="off" required value={delta} onChange={(e) => setDelta(e.target.value)} placeholder="e.g. 20 or -3" />}
      </Field>
      <Field label="Reason">
        {(props) => <input {...props} required maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Restock from supplier" />}
      </Field>
    </ConfirmDialog>
  );
}

export function InventoryHistory({ sku, route }: { sku: string; route: Route }) {
  useTitle(`Stock history ${sku}`);
  const cursor = route.query.get('cursor') ?? undefined;
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  const [adjusting, setAdjusting] = useState(false);
  const history = useResource((signal) => api.listAdjustments(sku, cursor, signal), [sku, cursor]);
  const path = `/inventory/${encodeURIComponent(sku)}`;

  return (
    <section>
      <p className="breadcrumb">
        <a href={href('/inventory')}>← Inventory</a>
      </p>
      <PageHeader title={`Stock history · ${sku}`}>
        <button type="button" className="btn btn-primary" onClick={() => setAdjusting(true)}>
          Adjust stock
        </button>
      </PageHeader>
      <AsyncView resource={history} isEmpty={(page) => page.items.length === 0} empty="No adjustments recorded for this SKU yet.">
        {(page) => (
          <>
            <div className="table-wrap">
              <table className="table" aria-label={`Adjustments of ${sku}`}>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col" className="num">Change</th>
                    <th scope="col">Reason</th>
                    <th scope="col">By</th>
                    <th scope="col" className="num">On hand after</th>
                    <th scope="col" className="num">Reserved</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((item, index) => (
                    <tr key={`${item.at}-${index}`}>
                      <td>{formatDateTime(item.at)}</td>
                      <td className={`num strong ${item.delta < 0 ? 'negative' : 'positive'}`}>
                        {item.delta > 0 ? '+' : ''}
                        {formatNumber(item.delta)}
                      </td>
                      <td>{item.reason}</td>
                      <td>{item.by}</td>
                      <td className="num">{formatNumber(item.onHand)}</td>
                      <td className="num">{formatNumber(item.reserved)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Adjustments"
              hasPrevious={Boolean(cursor)}
              nextCursor={page.nextCursor}
              onPrevious={() => {
                const stack = [...previous];
                const back = stack.pop();
                setPrevious(stack);
                navigate(path, { cursor: back });
              }}
              onNext={(next) => {
                setPrevious([...previous, cursor]);
                navigate(path, { cursor: next });
              }}
            />
          </>
        )}
      </AsyncView>
      {adjusting && <AdjustDialog level={{ sku }} onClose={() => setAdjusting(false)} onDone={() => history.reload(true)} />}
    </section>
  );
}
