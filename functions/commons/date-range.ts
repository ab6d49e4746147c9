import * as z from '../domain/zod';

/** `from`/`to` query values: a date (the whole day, UTC) or a date-time with any offset. */
export const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** A bare date means the whole day, in UTC; a date-time is taken as given (any offset) and normalised. */
export const startOf = (value: string) => (value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString());
export const endOf = (value: string) => (value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString());

/** The check every query with a date range carries: `from` not after `to`. */
export const rangeCheck = z.refine<{ from?: string; to?: string }>((q) => !q.from || !q.to || startOf(q.from) <= endOf(q.to), {
  message: 'from must not be after to',
  path: ['from'],
});
