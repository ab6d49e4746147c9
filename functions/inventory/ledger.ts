import { ledgerStore } from '../adapters/ledger-store';
import { movementsForChange, type Movement } from '../domain/ledger';
import type { Order } from '../domain/order';

/**
 * For the change-stream consumer: records the inventory movements of one committed order change
 * (old image → new image), each exactly once however often the change is delivered. Returns the
 * movements this call wrote (empty when there were none or all were already recorded).
 */
export async function recordMovementsForChange(oldImage: Order | undefined, newImage: Order | undefined): Promise<Movement[]> {
  const movements = movementsForChange(oldImage, newImage);
  const written = await Promise.all(movements.map((m) => ledgerStore.recordOrderMovement(m)));
  return movements.filter((_, i) => written[i]);
}
