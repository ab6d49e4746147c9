import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { isTransient, toProblemResponse } from '../../../functions/commons/http';
import { ProblemError } from '../../../functions/commons/problem';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('a fault a retry can overcome is a 503 with Retry-After, never a bare 500', () => {
  it.each([
    ['DynamoDB throttling', named('ThrottlingException')],
    ['provisioned throughput exceeded', named('ProvisionedThroughputExceededException')],
    ['a transaction conflict', new TransactionCanceledException({ message: 'conflict', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] })],
    ['a throttled transaction item', new TransactionCanceledException({ message: 'throttled', $metadata: {}, CancellationReasons: [{ Code: 'ThrottlingError' }] })],
    ['an SDK timeout', named('TimeoutError')],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a payment provider outage', named('PaymentUnavailable')],
  ])('%s', (_, error) => {
    expect(isTransient(error)).toBe(true);
    const res = toProblemResponse(error);
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(res.body!)).toMatchObject({ status: 503, type: '/problems/temporarily-unavailable' });
  });

  it('a conditional check that failed is not transient, and a bug stays a 500 without details', () => {
    const conditional = new TransactionCanceledException({ message: 'no', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });
    expect(isTransient(conditional)).toBe(false);
    const bug = toProblemResponse(new TypeError('x is undefined'));
    expect(bug.statusCode).toBe(500);
    expect(bug.headers?.['retry-after']).toBeUndefined();
    expect(bug.body).not.toContain('undefined');
  });

  it('every 503 a handler raises carries Retry-After', () => {
    const res = toProblemResponse(new ProblemError(503, 'busy', 'retry'));
    expect(res.headers?.['retry-after']).toBe('1');
  });
});
