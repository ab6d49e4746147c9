import type { LocalDynamoDb } from '../../local/dynamodb';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __ORDER_SERVICE_DYNAMODB__?: LocalDynamoDb[] };
  await Promise.all((holder.__ORDER_SERVICE_DYNAMODB__ ?? []).map((d) => d.stop()));
  delete holder.__ORDER_SERVICE_DYNAMODB__;
}
