import { api, json } from '../commons/http';
import { verifyAudit } from '../adapters/audit-store';

/** GET /admin/audit/verify — recomputes the whole hash chain: { valid, entries, firstInvalidSeq? }. */
export const handler = api({ auth: 'admin' }, async () => json(200, await verifyAudit()));
