import { api, json } from '../commons/http';

export const handler = api({ auth: 'public' }, async () => json(200, { status: 'ok' }));
