import { mockClient } from 'aws-sdk-client-mock';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from '../../../functions/adapters/transactions';

// DynamoDB Local never reports TransactionConflict, so the retry path is proven here with injected errors.
const ddbMock = mockClient(DynamoDBDocumentClient);
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const item = [{ Put: { TableName: 't', Item: { pk: 'a', sk: 'b' } } }];

beforeEach(() => ddbMock.reset());

it('retries a transaction that lost to a concurrent one, then succeeds', async () => {
  ddbMock.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
  await transactWrite(item);
  expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(3);
});

it('does not retry a failed condition: that is an answer, returned at once', async () => {
  ddbMock.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
  await expect(transactWrite(item)).rejects.toBeInstanceOf(TransactionCanceledException);
  expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
});

it('gives up after the attempt budget under persistent conflicts', async () => {
  ddbMock.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
  await expect(transactWrite(item, { attempts: 3 })).rejects.toBeInstanceOf(TransactionCanceledException);
  expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(3);
});
