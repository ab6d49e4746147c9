import { conflict, notFound } from '../commons/problem';
import { orderStore } from '../adapters/order-store';
import { returnsStore } from '../adapters/returns-store';
import { orderIdOfReturn, type ReturnRecord, type ReturnStatus } from '../domain/returns';
import type { Order } from '../domain/order';

/** Reads and answers shared by the return steps (service.ts, receive.ts). */
export async function orderOf(orderId: string, canSee: (o: Order) => boolean): Promise<Order> {
  const order = await orderStore.get(orderId);
  if (!order || !canSee(order)) throw notFound(`Order ${orderId} was not found.`);
  return order;
}

export async function returnOf(id: string): Promise<ReturnRecord> {
  const orderId = orderIdOfReturn(id);
  const found = orderId ? await returnsStore.get(orderId, id) : undefined;
  if (!found) throw notFound(`Return ${id} was not found.`);
  return found;
}

export const stateConflict = (r: ReturnRecord | undefined, wanted: string) =>
  conflict('return-state', `Return ${r?.id ?? ''} is ${r?.status ?? 'missing'}; it cannot be ${wanted}.`);

/** A concurrent call that already made the same change is an answer, not an error. */
export function settledOr(current: ReturnRecord | undefined, wanted: ReturnStatus, verb: string): ReturnRecord {
  if (current?.status === wanted) return current;
  throw stateConflict(current, verb);
}
