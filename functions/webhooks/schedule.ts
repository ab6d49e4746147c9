/**
 * The retry schedule of webhook deliveries (SPEC.md: retried with backoff for at least 72 h, the first retry
 * within 10 s, the second within a minute). Exponential from WEBHOOK_RETRY_BASE_MS (5 s), doubled per attempt,
 * capped at WEBHOOK_RETRY_MAX_MS (1 h), with "equal jitter" (between half and all of the step) so receivers
 * that failed together are not all retried in the same second. A delivery gives up once its first attempt is
 * WEBHOOK_RETRY_WINDOW_MS (72 h) old. Tests shrink all three to milliseconds.
 */
export interface RetrySchedule {
  baseMs: number;
  maxMs: number;
  windowMs: number;
  /** Per attempt: the receiver has this long to answer (WEBHOOK_TIMEOUT_MS, 10 s). */
  timeoutMs: number;
}

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export function retrySchedule(): RetrySchedule {
  return {
    baseMs: num('WEBHOOK_RETRY_BASE_MS', 5_000),
    maxMs: num('WEBHOOK_RETRY_MAX_MS', 3_600_000),
    windowMs: num('WEBHOOK_RETRY_WINDOW_MS', 72 * 3_600_000),
    timeoutMs: num('WEBHOOK_TIMEOUT_MS', 10_000),
  };
}

/** The wait before retry number `failures` (1 = after the first failed attempt). */
export function retryDelayMs(failures: number, schedule: RetrySchedule = retrySchedule(), random: () => number = Math.random): number {
  const step = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Whether a delivery first attempted at `firstAttemptAt` has used up its retry window. */
export const givesUp = (firstAttemptAt: string, now: number, schedule: RetrySchedule = retrySchedule()) => now - new Date(firstAttemptAt).getTime() >= schedule.windowMs;
