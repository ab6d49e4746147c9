import { isDeepStrictEqual } from 'node:util';
import { isTerminal, type Order, type OrderStatus } from '../domain/order';
import { erasedAddress, erasedCustomer, personalValues, scrubItem, scrubText } from '../domain/erasure';
import { EMAIL_ON_STATUS } from '../outbox/effects';
import {
  idempotencyRecordsMentioning,
  orderIdsOf,
  orderPartition,
  replaceIdempotencyRecord,
  replaceItem,
  rewriteStoredEmail,
  storedEmails,
  type Item,
} from '../adapters/customer-data-store';

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'entity']);
const withoutKeys = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k)));

/** Cognito `sub`s are UUIDs; anything else cannot name a customer (and must not reach a key). */
export const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

export class CustomerHasOpenOrders extends Error {
  override readonly name = 'CustomerHasOpenOrders';
  constructor(
    readonly openOrderIds: string[],
    /** Closed, but the email of their last status change is still being sent by the outbox. */
    readonly settling = false,
  ) {
    super(`The customer has ${openOrderIds.length} open order(s)`);
  }
}

/**
 * A closed order whose last status email has not gone out yet: erasing now would race that email. Only a
 * recent change can still be on its way (orders closed before an email kind existed have no marker at all).
 */
const SETTLE_MS = 10 * 60 * 1000;
const settling = (items: Item[], order: Order) => {
  const kind = EMAIL_ON_STATUS[order.status];
  if (kind === undefined || Date.now() - Date.parse(order.updatedAt) > SETTLE_MS) return false;
  return !items.some((i) => i.sk === `NOTIFICATION#${kind}` && i.effectState === 'done');
};

async function partitions(userId: string): Promise<{ orderId: string; items: Item[] }[]> {
  const ids = await orderIdsOf(userId);
  const result: { orderId: string; items: Item[] }[] = [];
  for (const orderId of ids) result.push({ orderId, items: await orderPartition(orderId) });
  return result;
}

const orderOf = (items: Item[]) => items.find((i) => i.sk === 'ORDER') as (Item & Order) | undefined;

/** GET /admin/customers/{userId}/export: every item held about the customer, as stored (keys aside). */
export async function exportCustomer(userId: string) {
  const held = await partitions(userId);
  const orders = held.map(({ items }) => orderOf(items)).filter((o): o is Item & Order => Boolean(o));
  const addresses = [...new Map(orders.map((o) => [JSON.stringify(o.shippingAddress), o.shippingAddress])).values()];
  const bySk = (prefix: string) => held.flatMap(({ items }) => items.filter((i) => String(i.sk).startsWith(prefix)).map(withoutKeys));
  const emails = await storedEmails(held.map((h) => h.orderId));
  return {
    userId,
    exportedAt: new Date().toISOString(),
    orders: orders.map(withoutKeys),
    addresses,
    payments: bySk('PAYMENT'),
    shipments: bySk('SHIPMENT'),
    /** What was sent, when (one marker per email), and locally the messages themselves. */
    notifications: bySk('NOTIFICATION#'),
    emails: emails.map((e) => ({ file: e.file, content: e.content })),
  };
}

/**
 * POST /admin/customers/{userId}/erase: names, emails, phones and street lines are replaced in every order
 * item (and wherever the same values were copied within the order's partition), in idempotency records
 * and in stored emails. Ids, totals, dates, country, city and postcode, statuses and payment ids stay: the
 * books need them. Refused while any order is open (its saga still needs the address). Safe to repeat.
 */
export async function eraseCustomer(userId: string) {
  const held = await partitions(userId);
  const open = held
    .map(({ items }) => orderOf(items))
    .filter((o): o is Item & Order => Boolean(o) && !isTerminal(o!.status as OrderStatus))
    .map((o) => o.id);
  if (open.length) throw new CustomerHasOpenOrders(open);
  const unsettled = held.filter(({ items }) => settling(items, orderOf(items)!)).map(({ orderId }) => orderId);
  if (unsettled.length) throw new CustomerHasOpenOrders(unsettled, true);

  const values = [...new Set(held.flatMap(({ items }) => { const o = orderOf(items); return o ? personalValues(o) : []; }))];
  let itemsChanged = 0;
  for (const { items } of held) {
    for (const item of items) {
      if (item.sk === 'ORDER') {
        const order = item as Item & Order;
        // searchName (the lower-case name admin search reads) goes too; scrubbing matches names by case.
        const { gsi4pk, gsi4sk, searchName, ...rest } = scrubItem(order as Item, values, KEY_ATTRIBUTES);
        // Out of the email index too: nobody finds an erased customer's orders by their email.
        const erased = { ...rest, customer: erasedCustomer(order.customer), shippingAddress: erasedAddress(order.shippingAddress) };
        if (gsi4pk === undefined && gsi4sk === undefined && searchName === undefined && isDeepStrictEqual(erased, item)) continue;
        await replaceItem({ ...erased, version: (order.version ?? 0) + 1 }, order.version);
      } else {
        const next = scrubItem(item, values, KEY_ATTRIBUTES);
        if (isDeepStrictEqual(next, item)) continue;
        await replaceItem(next);
      }
      itemsChanged++;
    }
  }

  const orderIds = held.map((h) => h.orderId);
  let idempotencyRecords = 0;
  for (const record of await idempotencyRecordsMentioning(orderIds)) {
    const next = scrubItem(record, values, new Set(['id', 'expiration', 'in_progress_expiration', 'status', 'validation']));
    if (isDeepStrictEqual(next, record)) continue;
    await replaceIdempotencyRecord(next);
    idempotencyRecords++;
  }

  let emails = 0;
  for (const email of await storedEmails(orderIds)) {
    const content = scrubText(email.content, values);
    if (content === email.content) continue;
    await rewriteStoredEmail(email, content);
    emails++;
  }
  return { userId, orders: orderIds.length, itemsChanged, idempotencyRecords, emails };
}
