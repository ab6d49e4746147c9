import { config } from '../../commons/config';
import type { OrderStatus, PaymentSummary } from '../../domain/order';
import { keys } from '../keys';

/**
 * Writes of one shipment inside the order item (`shipments[i]`): element paths, never the whole list, so a
 * concurrent change of another shipment (the carrier delivering S1 while S2 ships) is never overwritten.
 * Every write is conditioned on the element still being that shipment and on the order's version as read.
 */
export interface UpdateParams {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** Adds `shipments[index].<field> = value` and the element and version conditions to an order update. */
export function withShipmentChange(
  update: UpdateParams,
  shipment: { index: number; id: string },
  changes: Record<string, unknown>,
  expectedVersion?: number,
): UpdateParams {
  const names: Record<string, string> = { ...update.ExpressionAttributeNames, '#shipments': 'shipments' };
  const values: Record<string, unknown> = { ...update.ExpressionAttributeValues };
  const sets = Object.entries(changes).map(([field, value], i) => {
    const n = `${shipment.index}_${i}`;
    names[`#shf${n}`] = field;
    values[`:shv${n}`] = value;
    return `#shipments[${shipment.index}].#shf${n} = :shv${n}`;
  });
  names['#shipmentIdField'] = 'id';
  values[`:shipmentId${shipment.index}`] = shipment.id;
  let condition = `${update.ConditionExpression} AND #shipments[${shipment.index}].#shipmentIdField = :shipmentId${shipment.index}`;
  if (expectedVersion !== undefined && !('#shipmentVersion' in names)) {
    names['#shipmentVersion'] = 'version';
    values[':shipmentVersion'] = expectedVersion;
    condition += ' AND #shipmentVersion = :shipmentVersion';
  }
  return {
    ...update,
    UpdateExpression: `${update.UpdateExpression}${sets.length ? `, ${sets.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * A change of one shipment without a status change of the order: a timeline entry (with the order's status),
 * conditioned on the order being in `status`. `shippedPart` counts a shipment handed over while the order is
 * still LABELLED (a cancel is then refused); `payment` records the capture of the first shipment.
 */
export function shipmentOnlyUpdate(
  orderId: string,
  input: { status: OrderStatus; actor: string; reason: string; at: string; shippedPart?: boolean; payment?: PaymentSummary; shipmentS1?: Record<string, string> },
): UpdateParams {
  const names: Record<string, string> = { '#status': 'status', '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':status': input.status,
    ':entry': [{ at: input.at, status: input.status, actor: input.actor, reason: input.reason }],
    ':at': input.at,
    ':one': 1,
  };
  const sets = ['#timeline = list_append(#timeline, :entry)', '#updatedAt = :at', '#version = #version + :one'];
  if (input.shippedPart) {
    names['#shippedParts'] = 'shippedParts';
    values[':zero'] = 0;
    sets.push('#shippedParts = if_not_exists(#shippedParts, :zero) + :one');
  }
  if (input.payment) {
    names['#payment'] = 'payment';
    values[':payment'] = input.payment;
    sets.push('#payment = :payment');
  }
  // The S1 mirror (`shipment`) follows S1's milestones for single-shipment readers.
  for (const [field, value] of Object.entries(input.shipmentS1 ?? {})) {
    names['#mirror'] = 'shipment';
    names[`#mirror_${field}`] = field;
    values[`:mirror_${field}`] = value;
    sets.push(`#mirror.#mirror_${field} = :mirror_${field}`);
  }
  return {
    TableName: config.tableName(),
    Key: keys.order(orderId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_exists(pk) AND #status = :status',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
