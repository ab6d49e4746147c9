import { useState } from 'react';
import { api } from '../api';
import { formatNumber } from '../format';
import type { InventoryLevel, StockLocation } from '../types';
import { ConfirmDialog } from './ConfirmDialog';
import { Field } from './ui';

/** Moves units of one SKU between two locations (one transaction on the server; 409 if `from` lacks them). */
export function TransferDialog({
  level,
  locations,
  onClose,
  onDone,
}: {
  level: InventoryLevel;
  locations: StockLocation[];
  onClose: () => void;
  onDone: (updated: InventoryLevel, message: string) => void;
}) {
  const stocked = level.locations?.filter((l) => l.available > 0).map((l) => l.location) ?? [];
  const [from, setFrom] = useState(stocked[0] ?? 'MAIN');
  const [to, setTo] = useState(locations.find((l) => l.active && l.id !== (stocked[0] ?? 'MAIN'))?.id ?? '');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const availableAt = (id: string) => level.locations?.find((l) => l.location === id)?.available ?? 0;
  return (
    <ConfirmDialog
      open
      title={`Transfer stock of ${level.sku}`}
      confirmLabel="Transfer"
      onClose={onClose}
      onConfirm={async () => {
        const units = /^\d+$/.test(quantity.trim()) ? Number(quantity.trim()) : 0;
        if (units <= 0) throw new Error('Enter a whole number of units to move, such as 5.');
        if (from === to) throw new Error('Choose two different locations.');
        if (!reason.trim()) throw new Error('Say why the stock moves (for example “Rebalance before the sale”).');
        const updated = await api.transferStock({ sku: level.sku, from, to, quantity: units, reason: reason.trim() });
        onDone({ ...level, ...updated }, `${level.sku}: ${units} moved from ${from} to ${to}.`);
      }}
    >
      <Field label="From" hint={`${formatNumber(availableAt(from))} available there`}>
        {(props) => (
          <select {...props} value={from} onChange={(e) => setFrom(e.target.value)}>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>{l.id}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="To">
        {(props) => (
          <select {...props} value={to} onChange={(e) => setTo(e.target.value)}>
            {locations.filter((l) => l.active).map((l) => (
              <option key={l.id} value={l.id}>{l.id}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Units">
        {(props) => <input {...props} inputMode="numeric" autoComplete="off" required value={quantity} onChange={(e) => setQuantity(e.target.value)} placeholder="e.g. 5" />}
      </Field>
      <Field label="Reason">
        {(props) => <input {...props} required maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Rebalance before the sale" />}
      </Field>
    </ConfirmDialog>
  );
}
