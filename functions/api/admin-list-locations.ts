import { api, json } from '../commons/http';
import { locationStore } from '../adapters/location-store';

/** Every stock location by priority (MAIN included); a handful, so one page. */
export const handler = api({ auth: 'admin' }, async () => json(200, { items: await locationStore.list(), nextCursor: null }));
