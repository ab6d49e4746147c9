/**
 * Inventory rules of SPEC.md, without AWS. The store keeps `available` as a stored attribute next to
 * `onHand` and `reserved` because DynamoDB conditions cannot do arithmetic: every write moves them together
 * so that `available = onHand − reserved` always holds, and conditions read `available` directly.
 */
export interface StockLevels {
  sku: string;
  /** Totals over every location. */
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  /** The same levels at each location (MAIN first), when read with them. */
  locations?: LocationLevels[];
}

export interface LocationLevels {
  location: string;
  onHand: number;
  reserved: number;
  available: number;
}

export function levelsView(levels: StockLevels) {
  return {
    sku: levels.sku,
    onHand: levels.onHand,
    reserved: levels.reserved,
    available: levels.available,
    lowStockThreshold: levels.lowStockThreshold,
    low: isLow(levels),
    ...(levels.locations ? { locations: levels.locations.map(({ location, onHand, reserved, available }) => ({ location, onHand, reserved, available })) } : {}),
  };
}

export function isLow(levels: Pick<StockLevels, 'available' | 'lowStockThreshold'>): boolean {
  return levels.available <= levels.lowStockThreshold;
}

export function isConsistent(levels: StockLevels): boolean {
  return (
    levels.onHand >= 0 &&
    levels.reserved >= 0 &&
    levels.available >= 0 &&
    levels.available === levels.onHand - levels.reserved
  );
}

/**
 * Days the available stock lasts at the average daily sales of the last 7 days; null when nothing sold
 * (infinite cover), rounded down to one decimal so it never overstates.
 */
export function daysOfCover(available: number, unitsSoldLast7Days: number): number | null {
  if (unitsSoldLast7Days <= 0) return null;
  const perDay = unitsSoldLast7Days / 7;
  return Math.floor((available / perDay) * 10) / 10;
}

/** Merge order lines by SKU into the quantity each SKU must give up. */
export function quantitiesBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of lines) result.set(line.sku, (result.get(line.sku) ?? 0) + line.quantity);
  return result;
}

export interface LowStockAlert {
  id: string;
  sku: string;
  name: string;
  available: number;
  threshold: number;
  daysOfCover: number | null;
  createdAt: string;
}

export function alertMessage(alert: LowStockAlert): { subject: string; body: string } {
  const cover = alert.daysOfCover === null ? 'no sales in the last 7 days' : `${alert.daysOfCover} days of cover at the last 7 days' sales rate`;
  return {
    subject: `Low stock: ${alert.sku} (${alert.available} left)`.slice(0, 99),
    body: [
      `Low stock alert for ${alert.name} (SKU ${alert.sku}).`,
      `Available: ${alert.available} (threshold ${alert.threshold}).`,
      `Cover: ${cover}.`,
      `Raised at ${alert.createdAt}. Restock through the admin dashboard (Inventory) or POST /admin/inventory/${alert.sku}/adjustments.`,
    ].join('\n'),
  };
}
