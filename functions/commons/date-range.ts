import { z } from 'zod';

/** `from`/`to` query values: a date (the whole day, UTC) or a date-time with any offset. */
export const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

/** A bare date means the whole day, in UTC; a date-time is taken as given (any offset) and normalised. */
export const startOf = (value: string) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString());
export const endOf = (value: string) => (value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString());

export const rangeRefinement: [(q: { from?: string; to?: string }) => boolean, { message: string; path: string[] }] = [
  (q) => !q.from || !q.to || startOf(q.from) <= endOf(q.to),
  { message: 'from must not be after to', path: ['from'] },
];
