import { useState } from 'react';
import { api, ApiError, SessionExpiredError } from '../api';
import { AsyncView, Field, Notice, PageHeader, ProblemMessage } from '../components/ui';
import { formatNumber } from '../format';
import { useResource, useTitle } from '../hooks';
import type { StockLocation } from '../types';

/**
 * Stock locations: reservations take an order from the highest-priority active location that can fill it,
 * else from the fewest locations, then by priority. MAIN always exists.
 */
export function Locations() {
  useTitle('Locations');
  const locations = useResource((signal) => api.listLocations(signal), []);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [form, setForm] = useState({ id: '', name: '', address: '', priority: '10' });

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const priority = Number(form.priority);
      const created = await api.createLocation({ id: form.id.trim().toUpperCase(), name: form.name.trim(), priority, active: true, ...(form.address.trim() ? { address: form.address.trim() } : {}) });
      setNotice(`Location ${created.id} created.`);
      setForm({ id: '', name: '', address: '', priority: '10' });
      locations.reload();
    } catch (err) {
      setError(err);
    }
  };
  const toggle = async (location: StockLocation) => {
    setError(undefined);
    try {
      await api.updateLocation(location.id, { active: !location.active });
      setNotice(`${location.id} is ${location.active ? 'inactive: no new reservations take stock there' : 'active again'}.`);
      locations.reload();
    } catch (err) {
      setError(err);
    }
  };

  const [editing, setEditing] = useState<StockLocation>();

  return (
    <section>
      <PageHeader title="Locations" />
      <p className="subtle">An order ships from the first active location (by priority, lower first) that holds all of it; otherwise it is split over as few locations as possible. Stock per location is on the Inventory page.</p>
      <Notice>{notice}</Notice>
      <ProblemMessage error={error} />
      <AsyncView resource={locations} isEmpty={(items) => items.length === 0}>
        {(items) => (
          <table className="table" aria-label="Stock locations">
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Address</th>
                <th className="num">Priority</th>
                <th>Status</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((location) => (
                <tr key={location.id} data-location={location.id}>
                  <td className="mono">{location.id}</td>
                  <td>{location.name}</td>
                  <td>{location.address || '—'}</td>
                  <td className="num">{formatNumber(location.priority)}</td>
                  <td>{location.active ? <span className="badge badge-success">Active</span> : <span className="badge">Inactive</span>}</td>
                  <td className="actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(location)} aria-label={`Edit ${location.id}`}>
                      Edit
                    </button>{' '}
                    <button type="button" className="btn btn-small" onClick={() => void toggle(location)} aria-label={`${location.active ? 'Deactivate' : 'Activate'} ${location.id}`}>
                      {location.active ? 'Deactivate' : 'Activate'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      {editing && (
        <EditLocation
          key={editing.id}
          location={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(saved, fields) => {
            setEditing(undefined);
            setNotice(fields.length ? `Location ${saved.id} saved (${fields.join(', ')}).` : 'Nothing changed.');
            locations.reload();
          }}
        />
      )}
      <h2>New location</h2>
      <form className="form" onSubmit={(event) => void create(event)} aria-label="New location">
        <Field label="Location id" hint="Capital letters, digits, - and _ (e.g. EAST-DEPOT).">
          {(props) => <input {...props} required maxLength={32} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />}
        </Field>
        <Field label="Location name">
          {(props) => <input {...props} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label="Address">
          {(props) => <input {...props} maxLength={500} value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} />}
        </Field>
        <Field label="Priority" hint="Lower first; MAIN is 0 unless changed.">
          {(props) => <input {...props} required inputMode="numeric" value={form.priority} onChange={(e) => setForm({ ...form, priority: e.target.value })} />}
        </Field>
        <button type="submit" className="btn btn-primary">Create location</button>
      </form>
    </section>
  );
}

type EditField = 'name' | 'address' | 'priority';
const PRIORITY_MAX = 1_000_000;

/**
 * Edits a location's name, address and priority (PATCH /admin/locations/{id} with only what changed). The
 * priority decides where the next reservations take stock from; orders already reserved keep their locations.
 */
function EditLocation({ location, onCancel, onSaved }: { location: StockLocation; onCancel: () => void; onSaved: (saved: StockLocation, fields: EditField[]) => void }) {
  const [form, setForm] = useState({ name: location.name, address: location.address ?? '', priority: String(location.priority) });
  const [errors, setErrors] = useState<Partial<Record<EditField, string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Editing a field clears its error; the others keep theirs until the next save.
  const change = (field: EditField, value: string) => {
    setForm({ ...form, [field]: value });
    setErrors(({ [field]: _cleared, ...rest }) => rest);
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    const found: Partial<Record<EditField, string>> = {};
    const name = form.name.trim();
    const address = form.address.trim();
    if (!name) found.name = 'Enter a name.';
    const priority = Number(form.priority.trim());
    if (!/^\d+$/.test(form.priority.trim()) || !Number.isSafeInteger(priority) || priority > PRIORITY_MAX) found.priority = `Enter a whole number from 0 to ${PRIORITY_MAX}.`;
    setErrors(found);
    if (Object.keys(found).length) return;
    const changes: { name?: string; address?: string; priority?: number } = {};
    if (name !== location.name) changes.name = name;
    if (address !== (location.address ?? '')) changes.address = address;
    if (priority !== location.priority) changes.priority = priority;
    const fields = Object.keys(changes) as EditField[];
    if (!fields.length) return onSaved(location, []);
    setBusy(true);
    try {
      onSaved(await api.updateLocation(location.id, changes), fields);
    } catch (err) {
      if (err instanceof SessionExpiredError) return;
      if (err instanceof ApiError && err.fieldErrors.length) {
        const mapped: Partial<Record<EditField, string>> = {};
        for (const e of err.fieldErrors) {
          const field = e.path.split('.')[0] as EditField;
          if (field === 'name' || field === 'address' || field === 'priority') mapped[field] ??= e.message;
        }
        setErrors(mapped);
      }
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2>Edit location {location.id}</h2>
      <form className="form" onSubmit={(event) => void submit(event)} aria-label={`Edit location ${location.id}`} noValidate>
        <ProblemMessage error={problem} />
        <Field label="Name" error={errors.name}>
          {(props) => <input {...props} autoFocus required maxLength={200} value={form.name} onChange={(e) => change('name', e.target.value)} />}
        </Field>
        <Field label="Address" error={errors.address} hint="Where return labels send parcels; empty: the shop's sender address.">
          {(props) => <input {...props} maxLength={500} value={form.address} onChange={(e) => change('address', e.target.value)} />}
        </Field>
        <Field label="Priority" error={errors.priority} hint="Lower first: the next orders take stock from the first location that holds all of them.">
          {(props) => <input {...props} required inputMode="numeric" value={form.priority} onChange={(e) => change('priority', e.target.value)} />}
        </Field>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save location'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
