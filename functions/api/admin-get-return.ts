import { api, json } from '../commons/http';
import { getReturn } from '../returns/service';
import { adminReturnView } from '../returns/views';

export const handler = api({ auth: 'admin' }, async ({ params }) => json(200, adminReturnView(await getReturn(params.id!))));
