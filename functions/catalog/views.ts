import type { Product } from '../adapters/product-store';
import { levelsView, type StockLevels } from '../domain/inventory';

export const publicProductView = (product: Product, levels: StockLevels | undefined) => ({
  sku: product.sku,
  name: product.name,
  description: product.description ?? '',
  price: product.price,
  available: levels?.available ?? 0,
});

export const adminProductView = (product: Product, levels: StockLevels | undefined) => ({
  ...product,
  description: product.description ?? '',
  inventory: levels ? levelsView(levels) : null,
});
