import { adminActor } from '../commons/auth';
import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { conflict } from '../commons/problem';
import { createProductBody } from '../domain/schemas';
import { ProductExists, productStore } from '../adapters/product-store';
import { inventoryStore } from '../adapters/inventory-store';
import { adminProductView } from '../catalog/views';

export const handler = api({ auth: 'admin', body: createProductBody }, async ({ body, principal }) => {
  const now = new Date().toISOString();
  const { initialStock = 0, ...fields } = body;
  const product = { ...fields, createdAt: now, updatedAt: now };
  try {
    await productStore.create(product, initialStock, adminActor(principal));
  } catch (error) {
    if (error instanceof ProductExists) throw conflict('product-exists', `A product with SKU ${body.sku} already exists.`);
    throw error;
  }
  await auditAdminAction(principal, 'product.create', `product:${body.sku}`, { initialStock, active: product.active });
  return json(201, adminProductView(product, await inventoryStore.get(body.sku)), { location: `/admin/products/${body.sku}` });
});

