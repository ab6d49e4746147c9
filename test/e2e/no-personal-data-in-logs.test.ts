import { useLocalStack } from '../support/local-stack';

/**
 * Personal data never reaches the logs: every log line the handlers and the local runtime write while
 * orders go through every path, is captured and searched for the customer's details.
 */
const local = useLocalStack({ env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });

const canary = {
  name: 'Zyxwvu Canarysson',
  email: 'pii-canary-4711@example.com',
  phone: '+44 20 7946 0958',
  line1: '987 Canaryquay Lane',
  city: 'Canaryville',
  postalCode: 'CN4 7QQ',
};

const captured: string[] = [];
const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const spies: jest.SpyInstance[] = [];

beforeAll(() => {
  const tap = (original: typeof originals.out) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return original(chunk, ...(rest as []));
    }) as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' '))));
  }
});
afterAll(() => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  spies.forEach((spy) => spy.mockRestore());
});

it('orders on every path log ids and statuses, never names, emails, phones or addresses', async () => {
  const code = `PII-${process.pid}`;
  const created = await local.api('/admin/products', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: code, name: 'Canary product', price: { amount: 999, currency: 'GBP' }, lowStockThreshold: 1, initialStock: 3 }),
  });
  expect(created.status).toBe(201);

  const place = async (paymentMethodId: string, quantity: number, key: string) => {
    const res = await local.api('/orders', {
      as: 'customer',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${key}-${process.pid}` },
      body: JSON.stringify({
        customer: { name: canary.name, email: canary.email, phone: canary.phone },
        shippingAddress: { name: canary.name, line1: canary.line1, city: canary.city, postalCode: canary.postalCode, country: 'GB' },
        items: [{ sku: code, quantity }],
        payment: { paymentMethodId },
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    return local.waitForExecution(id);
  };

  expect((await place('pm_card_visa', 2, 'ok')).status).toBe('SUCCEEDED'); // crosses the low-stock threshold too
  expect((await place('pm_card_chargeDeclined', 1, 'declined')).status).toBe('SUCCEEDED'); // a business outcome
  expect((await place('pm_card_sandboxUnavailable', 1, 'down')).status).toBe('FAILED');
  expect((await place('pm_card_visa', 5, 'short')).status).toBe('SUCCEEDED'); // out of stock: a business outcome
  // A bad request echoes nothing personal into the logs either.
  await local.api('/orders', { as: 'customer', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `bad-${process.pid}` }, body: JSON.stringify({ customer: { name: canary.name, email: 'not-an-email' } }) });

  const logs = captured.join('\n');
  // The handlers really logged (placement, step failures, payment outcomes): the search below searched something.
  expect(logs).toContain('"message":"Order placed"');
  expect(logs).toContain('"message":"Step failed"');
  for (const value of Object.values(canary)) expect(logs).not.toContain(value);
  expect(logs.toLowerCase()).not.toContain('canary');
});
