import { useState } from 'react';
import { api } from '../api';
import { formatNumber } from '../format';
import type { InventoryLevel, StockLocation } from '../types';
import { ConfirmDialog } from './ConfirmDialog';
import { Field } from './ui';

/** What the page says after an adjustment, on the inventory list and the product page alike. */
export const adjustmentNotice = (updated: InventoryLevel, delta: number) =>
  `${updated.sku}: ${delta > 0 ? '+' : ''}${delta} recorded. ${formatNumber(updated.available)} available now.`;

/** Records a stock adjustment (delta + reason); shared by the inventory list, stock history and product pages. */
export function AdjustDialog({
  level,
  locations,
  onClose,
  onDone,
}: {
  level: Pick<InventoryLevel, 'sku'> & Partial<InventoryLevel>;
  /** With more than one location, the admin picks which one is adjusted (MAIN by default). */
  locations?: StockLocation[];
  onClose: () => void;
  onDone: (updated: InventoryLevel, delta: number) => void;
}) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [location, setLocation] = useState('MAIN');
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
        const updated = await api.adjustInventory(level.sku, parsed, reason.trim(), location === 'MAIN' ? undefined : location);
        onDone({ ...level, ...updated, sku: level.sku } as InventoryLevel, parsed);
      }}
    >
      {level.available !== undefined && (
        <p>
          On hand {formatNumber(level.onHand)}, reserved {formatNumber(level.reserved)}, available <strong>{formatNumber(level.available)}</strong>.
        </p>
      )}
      {locations && locations.length > 1 && (
        <Field label="Location">
          {(props) => (
            <select {...props} value={location} onChange={(e) => setLocation(e.target.value)}>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>{l.id}</option>
              ))}
            </select>
          )}
        </Field>
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
