import { dynamoDbClient } from '../../../functions/commons/clients';
import { handler as updateProduct } from '../../../functions/api/admin-update-product';
import { handler as deleteProduct } from '../../../functions/api/admin-delete-product';
import { productStore } from '../../../functions/adapters/product-store';
import { useIsolatedTables } from '../../support/dynamo';
import { httpEvent, lambdaContext } from '../../unit/api/events';
import { createProduct } from './fixtures';

/** A PATCH racing a DELETE of the same product: the loser is told the product is gone (404), never a 500. */
useIsolatedTables();
const admin = { sub: 'admin-1', username: 'admin@example.com', groups: ['admin'] };
const call = async (handler: typeof updateProduct, method: string, sku: string, body?: unknown) =>
  (await handler(httpEvent({ method, path: `/admin/products/${sku}`, pathParameters: { sku }, caller: admin, ...(body ? { body: JSON.stringify(body) } : {}) }), lambdaContext())) as { statusCode: number; headers: Record<string, string>; body?: string };

/** Runs `between` once, right after the first command of `commandName` has been answered (or refused). */
function after(commandName: string, between: () => Promise<unknown>) {
  let done = false;
  const name = `race-${commandName}-${Math.random()}`;
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } finally {
        if (!done && context.commandName === commandName) {
          done = true;
          await between();
        }
      }
    },
    { step: 'initialize', name },
  );
  return () => dynamoDbClient().middlewareStack.remove(name);
}

it('the PATCH whose product is deleted between its write and its read answers 404', async () => {
  await createProduct('RACE-1', 5);
  const remove = after('TransactWriteItemsCommand', () => productStore.deleteOrDeactivate('RACE-1'));
  try {
    const res = await call(updateProduct, 'PATCH', 'RACE-1', { name: 'Renamed' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
  } finally {
    remove();
  }
});

it('the DELETE that must deactivate a product deleted meanwhile answers 404', async () => {
  await createProduct('RACE-2', 5);
  // Units reserved by an open order: the DELETE turns into a deactivation, which the other DELETE overtakes.
  await productStore.get('RACE-2');
  const { inventoryUpdates } = await import('../../../functions/adapters/inventory-store');
  const { transactWrite } = await import('../../../functions/adapters/transactions');
  await transactWrite([inventoryUpdates.reserve('RACE-2', 1, new Date().toISOString())]);
  const remove = after('TransactWriteItemsCommand', async () => {
    await transactWrite([inventoryUpdates.release('RACE-2', 1, new Date().toISOString())]);
    await productStore.deleteOrDeactivate('RACE-2');
  });
  try {
    const res = await call(deleteProduct, 'DELETE', 'RACE-2');
    expect(res.statusCode).toBe(404);
  } finally {
    remove();
  }
});

it('PATCH and DELETE raced for real: only 2xx and 404, never a 5xx', async () => {
  for (let i = 0; i < 15; i++) {
    const sku = `RACE-R${i}`;
    await createProduct(sku, 3);
    const [patch, del] = await Promise.all([call(updateProduct, 'PATCH', sku, { lowStockThreshold: 2 }), call(deleteProduct, 'DELETE', sku)]);
    expect([200, 404]).toContain(patch.statusCode);
    expect([200, 204, 404]).toContain(del.statusCode);
  }
});
