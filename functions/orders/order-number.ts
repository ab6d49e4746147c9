import { leaseOrderNumbers } from '../adapters/order-number-store';

/**
 * Order numbers (#1001, #1002, …): unique, increasing over time, gaps allowed, and never one hot item.
 * Each writer (a Lambda container, a local process) leases a block of numbers with one atomic ADD and
 * hands them out from memory, so the counter item takes one write per block instead of one per order.
 * A block unused for `maxAgeMs` is dropped (its rest becomes a gap), so a quiet container cannot hand out
 * a number far below what others issue meanwhile: numbers from different writers are out of order by at
 * most that window. Settings: ORDER_NUMBER_BLOCK (default 20), ORDER_NUMBER_BLOCK_MAX_AGE_SECONDS (60).
 */
export interface OrderNumberAllocatorOptions {
  lease?: (size: number) => Promise<{ first: number; last: number }>;
  blockSize?: number;
  maxAgeMs?: number;
  now?: () => number;
}

export function orderNumberAllocator(options: OrderNumberAllocatorOptions = {}) {
  const lease = options.lease ?? leaseOrderNumbers;
  const now = options.now ?? Date.now;
  const blockSize = options.blockSize ?? positiveInt(process.env.ORDER_NUMBER_BLOCK, 20);
  const maxAgeMs = options.maxAgeMs ?? positiveInt(process.env.ORDER_NUMBER_BLOCK_MAX_AGE_SECONDS, 60) * 1000;
  let next = 0;
  let last = -1;
  let leasedAt = 0;
  let leasing: Promise<void> | undefined;

  return async function nextOrderNumber(): Promise<number> {
    for (;;) {
      if (next <= last && now() - leasedAt < maxAgeMs) return next++;
      // One lease at a time per writer: concurrent callers wait for it, then share the block.
      leasing ??= lease(blockSize)
        .then((block) => {
          next = block.first;
          last = block.last;
          leasedAt = now();
        })
        .finally(() => {
          leasing = undefined;
        });
      await leasing;
    }
  };
}

function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

let allocator: (() => Promise<number>) | undefined;
/** The process-wide allocator: what place-order calls for each new order. */
export function nextOrderNumber(): Promise<number> {
  allocator ??= orderNumberAllocator();
  return allocator();
}
