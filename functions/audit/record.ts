import { adminActor, type Principal } from '../commons/auth';
import { logger } from '../commons/powertools';
import { appendAudit } from '../adapters/audit-store';

/**
 * Records one admin write in the hash-chained audit log, after the write succeeded. If the append fails
 * the request fails (a 500 the admin sees and the API's 5xx alarm counts) rather than leaving an
 * unaudited change looking like a clean success; the log line names only ids.
 */
export async function auditAdminAction(principal: Principal | undefined, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
  try {
    await appendAudit({ actor: adminActor(principal), action, target, details });
  } catch (error) {
    logger.error('Audit append failed', { action, target, error: error as Error });
    throw error;
  }
}
