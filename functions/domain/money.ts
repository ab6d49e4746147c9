/** Money is integer minor units with an ISO 4217 currency; never floats. */
export interface Money {
  amount: number;
  currency: string;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money amount must be an integer of minor units, got ${amount}`);
  return { amount, currency };
}

export function multiply(price: Money, quantity: number): Money {
  return money(price.amount * quantity, price.currency);
}

/** Sum of amounts of one currency; mixing currencies is a programming error the domain refuses. */
export function sum(values: Money[], currency: string): Money {
  let total = 0;
  for (const value of values) {
    if (value.currency !== currency) throw new Error(`Cannot add ${value.currency} to ${currency}`);
    total += value.amount;
  }
  return money(total, currency);
}

export function formatMoney(value: Money): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: value.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency: value.currency }).format(value.amount / 10 ** digits);
}
