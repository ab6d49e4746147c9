import { useState } from 'react';
import { api } from '../api';
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
                  <td>{location.address ?? '—'}</td>
                  <td className="num">{formatNumber(location.priority)}</td>
                  <td>{location.active ? <span className="badge badge-success">Active</span> : <span className="badge">Inactive</span>}</td>
                  <td className="actions">
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
