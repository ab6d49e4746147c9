import { useState } from 'react';
import { api } from '../api';
import { AdjustDialog, adjustmentNotice } from '../components/AdjustDialog';
import { TransferDialog } from '../components/TransferDialog';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { Notice, PageHeader } from '../components/ui';
import { formatDateTime, formatNumber, humanize, readableActor } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import type { InventoryLevel } from '../types';

export function Inventory({ route }: { route: Route }) {
  useTitle('Inventory');
  const lowOnly = route.query.get('low') === '1';
  const [adjusting, setAdjusting] = useState<InventoryLevel | null>(null);
  const [transferring, setTransferring] = useState<InventoryLevel | null>(null);
  const [notice, setNotice] = useState<string>();
  const locations = useResource((signal) => api.listLocations(signal).catch(() => []), []);
  const inventory = usePagedList(
    route,
    async (cursor, signal) => {
      // Levels carry no names; the catalogue does. Names are a nicety, so a failed product list is ignored.
      const [levels, products] = await Promise.all([api.listInventory(cursor, signal), api.listProducts(undefined, signal).catch(() => null)]);
      const names = new Map(products?.items.map((product) => [product.sku, product.name]));
      return { ...levels, items: levels.items.map((level) => ({ ...level, name: level.name ?? names.get(level.sku) })) };
    },
    [],
    { go: (cursor) => navigate('/inventory', { cursor, low: lowOnly ? '1' : undefined }) },
  );

  return (
    <section>
      <PageHeader title="Inventory">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={lowOnly}
            onChange={(event) => navigate('/inventory', { cursor: inventory.cursor, low: event.target.checked ? '1' : undefined }, { replace: true })}
          />
          Low stock only
        </label>
      </PageHeader>
      <Notice>{notice}</Notice>
      <PagedTable
        list={inventory}
        label="Stock levels"
        pagerLabel="Inventory"
        empty="No stock levels yet. Create a product, then add stock here."
        rows={(page) => (lowOnly ? page.items.filter((level) => level.low) : page.items)}
        before={(page) => {
          const lowCount = page.items.filter((level) => level.low).length;
          return (
            lowCount > 0 && (
              <p className="inline-warning">
                {lowCount} SKU{lowCount === 1 ? ' is' : 's are'} at or below the low-stock threshold.
              </p>
            )
          );
        }}
        after={(rows) => rows.length === 0 && <p className="state state-empty">No SKU on this page is low on stock.</p>}
        columns={[
          { label: 'SKU' },
          { label: 'On hand', num: true },
          { label: 'Reserved', num: true },
          { label: 'Available', num: true },
          { label: 'Threshold', num: true },
          { label: 'By location' },
          { label: 'Stock' },
          { label: <span className="visually-hidden">Actions</span> },
        ]}
        row={(level) => (
          <tr key={level.sku} className={level.low ? 'row-low' : undefined} data-sku={level.sku}>
            <td>
              <span className="mono">{level.sku}</span>
              {level.name && <div className="subtle small">{level.name}</div>}
            </td>
            <td className="num">{formatNumber(level.onHand)}</td>
            <td className="num">{formatNumber(level.reserved)}</td>
            <td className="num strong">{formatNumber(level.available)}</td>
            <td className="num">{formatNumber(level.lowStockThreshold)}</td>
            <td className="small">
              {(level.locations ?? []).filter((l) => l.onHand > 0 || l.reserved > 0).map((l) => (
                <div key={l.location} data-location={l.location}>
                  <span className="mono">{l.location}</span> {formatNumber(l.available)} available
                  {l.reserved > 0 ? ` (${formatNumber(l.reserved)} reserved)` : ''}
                </div>
              ))}
            </td>
            <td>{level.low ? <span className="badge badge-danger">Low stock</span> : <span className="badge badge-success">OK</span>}</td>
            <td className="actions">
              <button type="button" className="btn btn-small" onClick={() => setAdjusting(level)} aria-label={`Adjust stock of ${level.sku}`}>
                Adjust
              </button>
              <button type="button" className="btn btn-small" onClick={() => setTransferring(level)} aria-label={`Transfer stock of ${level.sku}`}>
                Transfer
              </button>
              <a className="btn btn-small btn-ghost" href={href(`/inventory/${encodeURIComponent(level.sku)}`)} aria-label={`Adjustment history of ${level.sku}`}>
                History
              </a>
            </td>
          </tr>
        )}
      />
      {transferring && (
        <TransferDialog
          level={transferring}
          locations={locations.data ?? []}
          onClose={() => setTransferring(null)}
          onDone={(_, message) => {
            setNotice(message);
            inventory.reload(true);
          }}
        />
      )}
      {adjusting && (
        <AdjustDialog
          level={adjusting}
          locations={locations.data}
          onClose={() => setAdjusting(null)}
          onDone={(updated, delta) => {
            setNotice(adjustmentNotice(updated, delta));
            inventory.reload(true);
          }}
        />
      )}
    </section>
  );
}

export function InventoryHistory({ sku, route }: { sku: string; route: Route }) {
  useTitle(`Stock history ${sku}`);
  const [adjusting, setAdjusting] = useState(false);
  const path = `/inventory/${encodeURIComponent(sku)}`;
  const history = usePagedList(route, (cursor, signal) => api.listAdjustments(sku, cursor, signal), [sku], { go: (cursor) => navigate(path, { cursor }) });
  // The ledger pages on its own cursor (`mcursor`), so both tables keep their place in the URL.
  const movementsRoute = { ...route, query: new URLSearchParams(route.query.get('mcursor') ? { cursor: route.query.get('mcursor')! } : {}) };
  const movements = usePagedList(movementsRoute, (cursor, signal) => api.listMovements(sku, cursor, signal), [sku], {
    go: (cursor) => navigate(path, { cursor: route.query.get('cursor'), mcursor: cursor }),
  });

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
      <PagedTable
        list={history}
        label={`Adjustments of ${sku}`}
        pagerLabel="Adjustments"
        empty="No adjustments recorded for this SKU yet."
        columns={[
          { label: 'When' },
          { label: 'Change', num: true },
          { label: 'Reason' },
          { label: 'By' },
          { label: 'On hand after', num: true },
          { label: 'Reserved', num: true },
        ]}
        row={(item, index) => (
          <tr key={`${item.at}-${index}`}>
            <td>{formatDateTime(item.at)}</td>
            <td className={`num strong ${item.delta < 0 ? 'negative' : 'positive'}`}>
              {item.delta > 0 ? '+' : ''}
              {formatNumber(item.delta)}
            </td>
            <td>{item.reason}</td>
            <td>{readableActor(item.by)}</td>
            <td className="num">{formatNumber(item.onHand)}</td>
            <td className="num">{formatNumber(item.reserved)}</td>
          </tr>
        )}
      />
      <h2>Movements</h2>
      <p className="subtle">Every change of the levels: adjustments, reservations, releases and shipments. Summed from zero they give today’s on-hand and reserved.</p>
      <PagedTable
        list={movements}
        label={`Movements of ${sku}`}
        pagerLabel="Movements"
        empty="No movements recorded for this SKU yet."
        columns={[{ label: 'When' }, { label: 'Type' }, { label: 'On hand', num: true }, { label: 'Reserved', num: true }, { label: 'Order' }, { label: 'By' }, { label: 'Why' }]}
        row={(m, index) => (
          <tr key={`${m.at}-${m.type}-${index}`} data-movement={m.type}>
            <td>{formatDateTime(m.at)}</td>
            <td>{humanize(m.type)}</td>
            <td className="num">{signed(m.onHandDelta)}</td>
            <td className="num">{signed(m.reservedDelta)}</td>
            <td>{m.orderId ? <a className="mono" href={href(`/orders/${encodeURIComponent(m.orderId)}`)}>{m.orderId.slice(0, 8)}</a> : '—'}</td>
            <td>{readableActor(m.by)}</td>
            <td>{m.reason ?? '—'}</td>
          </tr>
        )}
      />
      {adjusting && (
        <AdjustDialog
          level={{ sku }}
          onClose={() => setAdjusting(false)}
          onDone={() => {
            history.reload(true);
            movements.reload(true);
          }}
        />
      )}
    </section>
  );
}

const signed = (n: number) => (n === 0 ? '0' : `${n > 0 ? '+' : ''}${formatNumber(n)}`);
