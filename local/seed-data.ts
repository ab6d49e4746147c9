/**
 * Demo catalogue for local mode. Prices in minor units (USD cents). LAMP-DESK sits just above its
 * low-stock threshold, so one small order fires a low-stock alert.
 */
export interface SeedProduct {
  sku: string;
  name: string;
  description: string;
  price: { amount: number; currency: 'USD' };
  lowStockThreshold: number;
  onHand: number;
}

const usd = (amount: number) => ({ amount, currency: 'USD' as const });

export const seedProducts: SeedProduct[] = [
  { sku: 'MUG-CLASSIC', name: 'Classic mug', description: 'Stoneware mug, 350 ml, dishwasher safe.', price: usd(1299), lowStockThreshold: 10, onHand: 120 },
  { sku: 'TEE-LOGO-M', name: 'Logo T-shirt (M)', description: 'Organic cotton T-shirt, medium.', price: usd(2400), lowStockThreshold: 8, onHand: 60 },
  { sku: 'TEE-LOGO-L', name: 'Logo T-shirt (L)', description: 'Organic cotton T-shirt, large.', price: usd(2400), lowStockThreshold: 8, onHand: 45 },
  { sku: 'BOTTLE-STEEL', name: 'Steel water bottle', description: 'Insulated, 750 ml, keeps drinks cold for 24 hours.', price: usd(3150), lowStockThreshold: 5, onHand: 40 },
  { sku: 'NOTEBOOK-A5', name: 'A5 dotted notebook', description: '160 pages, lay-flat binding.', price: usd(1450), lowStockThreshold: 15, onHand: 200 },
  { sku: 'PEN-GEL-BLK', name: 'Gel pen, black (3-pack)', description: 'Quick-dry 0.5 mm gel ink.', price: usd(699), lowStockThreshold: 20, onHand: 300 },
  { sku: 'TOTE-CANVAS', name: 'Canvas tote bag', description: 'Heavy canvas with an inner pocket.', price: usd(1999), lowStockThreshold: 5, onHand: 35 },
  { sku: 'LAMP-DESK', name: 'LED desk lamp', description: 'Dimmable, USB-C powered. Few left.', price: usd(5900), lowStockThreshold: 5, onHand: 6 },
  { sku: 'CABLE-USBC-1M', name: 'USB-C cable, 1 m', description: 'Braided, 60 W charging.', price: usd(1100), lowStockThreshold: 10, onHand: 80 },
  { sku: 'STICKER-PACK', name: 'Sticker pack', description: 'Ten vinyl stickers.', price: usd(500), lowStockThreshold: 25, onHand: 500 },
];

/**
 * A second stock location with some units, so a split shipment can be demonstrated: 45 steel bottles are
 * more than MAIN's 40, so such an order ships from MAIN (40) and EAST-DEPOT (5).
 */
export const seedLocations = [{ id: 'EAST-DEPOT', name: 'East depot', address: '12 Harbour Road, Leith', priority: 10 }];
export const seedLocationStock: { sku: string; location: string; onHand: number }[] = [
  { sku: 'BOTTLE-STEEL', location: 'EAST-DEPOT', onHand: 10 },
  { sku: 'NOTEBOOK-A5', location: 'EAST-DEPOT', onHand: 25 },
];
