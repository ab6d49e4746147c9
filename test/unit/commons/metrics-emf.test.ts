import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { httpEvent, lambdaContext } from '../api/events';

// Metrics on, as on AWS: Powertools prints each EMF document to stdout, which CloudWatch turns into metrics.
process.env.TABLE_NAME = 'unit-orders';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
// What the Lambda runtime sets; Powertools reports a cold start only then.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';

const ddbMock = mockClient(DynamoDBDocumentClient);

// Required (not imported) so the Powertools instances are created after the environment above is set.
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const { handler: listProducts } = require('../../../functions/api/list-products') as { handler: Handler };
const { handler: reserveStock } = require('../../../functions/workflow/reserve-stock') as { handler: Handler };

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents written to stdout while `run` runs (every stdout line must be JSON). */
async function emfDuring(run: () => Promise<unknown>): Promise<Emf[]> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  // Log lines share stdout; EMF documents are the JSON objects with an `_aws` member.
  return lines.map((line) => JSON.parse(line) as Emf).filter((doc) => '_aws' in doc);
}
const names = (docs: Emf[]) => docs.flatMap((d) => d._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name));

beforeEach(() => ddbMock.reset());

describe('handlers flush EMF metrics on every invocation', () => {
  it('an API handler writes the cold-start metric once, in the OrderService namespace, with the service dimension', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    const context = { ...lambdaContext(), functionName: 'order-service-ListProducts' };
    const first = await emfDuring(() => listProducts(httpEvent({ path: '/products' }), context as never));
    const second = await emfDuring(() => listProducts(httpEvent({ path: '/products' }), context as never));
    expect(names(first)).toEqual(['ColdStart']);
    const [cold] = first;
    expect(cold._aws.CloudWatchMetrics[0].Namespace).toBe('OrderService');
    expect(cold._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'function_name']]);
    expect(cold).toMatchObject({ service: 'order-service', function_name: 'order-service-ListProducts', ColdStart: 1 });
    // Warm invocation without business metrics: nothing to flush, and nothing else printed.
    expect(second).toEqual([]);
  });

  it('a workflow step that fails with a fault counts StepFaults by step, total and breakdown in one document', async () => {
    ddbMock.on(GetCommand).rejects(Object.assign(new Error('DynamoDB is down'), { name: 'InternalServerError' }));
    const orderId = '3b8f7a52-0a4e-4c41-9d7b-2f1b1e0c9a11';
    const context = { ...lambdaContext(), functionName: 'order-service-ReserveStock' };
    const docs = await emfDuring(() => expect(reserveStock({ orderId }, context as never)).rejects.toThrow('DynamoDB is down'));
    const fault = docs.find((d) => 'StepFaults' in d)!;
    expect(fault).toBeDefined();
    expect(fault._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service'], ['service', 'step']]);
    expect(fault).toMatchObject({ service: 'order-service', step: 'ReserveStock', StepFaults: 1 });
    // Never the order id as a dimension or anywhere in the metric document.
    expect(JSON.stringify(docs)).not.toContain(orderId);
  });

  it('a business outcome (the order was cancelled) is not a fault', async () => {
    ddbMock.on(GetCommand).resolves({ Item: { id: '3b8f7a52-0a4e-4c41-9d7b-2f1b1e0c9a11', status: 'CANCELLED', stock: 'RELEASED', items: [] } });
    const docs = await emfDuring(() =>
      expect(reserveStock({ orderId: '3b8f7a52-0a4e-4c41-9d7b-2f1b1e0c9a11' }, lambdaContext() as never)).rejects.toMatchObject({ name: 'OrderNotActive' }),
    );
    expect(names(docs)).not.toContain('StepFaults');
  });

  it('metrics added before a handler error are flushed all the same (onError)', async () => {
    const { api } = require('../../../functions/commons/http') as typeof import('../../../functions/commons/http');
    const { countMetric } = require('../../../functions/commons/powertools') as typeof import('../../../functions/commons/powertools');
    const failing = api({ auth: 'public' }, async () => {
      countMetric('OrdersPlaced');
      throw new Error('after the metric');
    });
    let status = 0;
    const docs = await emfDuring(async () => {
      status = ((await failing(httpEvent({ path: '/x' }), lambdaContext() as never)) as { statusCode: number }).statusCode;
    });
    expect(status).toBe(500);
    expect(names(docs)).toEqual(['OrdersPlaced']);
    expect(docs[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});
