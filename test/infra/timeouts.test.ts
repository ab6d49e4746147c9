import { readFileSync } from 'node:fs';
import path from 'node:path';
import { functionSettings, WORKFLOW_TASK_TIMEOUT } from '../../lib/function-settings';
import { DEFINITION_FILE } from '../../lib/order-service-stack';
import { DYNAMODB_REQUEST_TIMEOUT_MS } from '../../functions/commons/clients';
import { STRIPE_REQUEST_TIMEOUT_MS } from '../../functions/adapters/payments/stripe-gateway';

/**
 * Timeouts nest: an SDK call gives up (with its retries) inside the function's budget, so the handler decides
 * what a timeout means (503, a retried step, a reconcile); a Task state waits at least as long as its Lambda
 * may run, so Step Functions never abandons an invocation that is still working.
 */
const apiBudgetMs = functionSettings.timeout.toMilliseconds();

it('DynamoDB and Stripe calls, retries included, fit inside an API handler’s 15 s', () => {
  // Three attempts of at most DYNAMODB_REQUEST_TIMEOUT_MS, plus the SDK's backoff (well under a second each).
  expect(3 * DYNAMODB_REQUEST_TIMEOUT_MS + 2 * 1000).toBeLessThan(apiBudgetMs);
  // One network retry (the adapter's default) doubles the wait.
  expect(2 * STRIPE_REQUEST_TIMEOUT_MS + 1000).toBeLessThan(apiBudgetMs);
});

it('every Task state waits at least as long as its Lambda may run', () => {
  const asl = JSON.parse(readFileSync(path.resolve(DEFINITION_FILE), 'utf8')) as { States: Record<string, { Type: string; TimeoutSeconds?: number }> };
  const tasks = Object.entries(asl.States).filter(([, s]) => s.Type === 'Task');
  expect(tasks.length).toBeGreaterThan(5);
  for (const [name, state] of tasks) {
    expect({ name, waits: (state.TimeoutSeconds ?? 0) >= WORKFLOW_TASK_TIMEOUT.toSeconds() }).toEqual({ name, waits: true });
  }
});
