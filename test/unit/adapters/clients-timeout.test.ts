import { createServer, type Server, type Socket } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A stalled table must end as an error inside the function's budget, not hold the function until Lambda kills
 * it: the DynamoDB client bounds each attempt (DYNAMODB_REQUEST_TIMEOUT_MS, 4 s on AWS; shortened here).
 */
let server: Server;
const sockets: Socket[] = [];
beforeAll(async () => {
  // Accepts connections and never answers: what a stalled DynamoDB looks like from the client.
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

it('gives up with a TimeoutError after its attempts, well within the budget', async () => {
  process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  process.env.DYNAMODB_REQUEST_TIMEOUT_MS = '200';
  const { ddb } = await import('../../../functions/commons/clients');
  const error = await ddb().send(new GetCommand({ TableName: 'stalled', Key: { pk: 'a', sk: 'b' } })).then(() => undefined, (e: Error) => e);
  // Without the bound the call would hang on the silent socket until jest gave up on the test.
  expect(error?.name).toBe('TimeoutError');
});
