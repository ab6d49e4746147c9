import { externalDynamoDbEndpoint } from '../../../local/dynamodb';
import globalSetup from '../../support/global-setup';
import { testDynamoDbEndpoint } from '../../support/dynamo';

describe('DYNAMODB_ENDPOINT (npm start, jest global setup)', () => {
  it('is unset or blank: start DynamoDB Local as before', () => {
    expect(externalDynamoDbEndpoint(undefined)).toBeUndefined();
    expect(externalDynamoDbEndpoint('  ')).toBeUndefined();
  });

  it('is an http(s) URL: used as given (origin only)', () => {
    expect(externalDynamoDbEndpoint('http://localhost:8000')).toBe('http://localhost:8000');
    expect(externalDynamoDbEndpoint(' https://dynamo.example.test/ ')).toBe('https://dynamo.example.test');
  });

  it('is anything else: a clear message, not a connection error later', () => {
    expect(() => externalDynamoDbEndpoint('localhost:8000')).toThrow('must be an http:// or https:// URL');
    expect(() => externalDynamoDbEndpoint('not a url')).toThrow('is not a URL');
  });

  it('without it, each jest worker gets its own DynamoDB Local (one SQLite lock each)', () => {
    const saved = { perWorker: process.env.TEST_DYNAMODB_ENDPOINTS, worker: process.env.JEST_WORKER_ID };
    try {
      process.env.TEST_DYNAMODB_ENDPOINTS = 'http://127.0.0.1:1001,http://127.0.0.1:1002';
      process.env.JEST_WORKER_ID = '1';
      expect(testDynamoDbEndpoint()).toBe('http://127.0.0.1:1001');
      process.env.JEST_WORKER_ID = '2';
      expect(testDynamoDbEndpoint()).toBe('http://127.0.0.1:1002');
    } finally {
      process.env.TEST_DYNAMODB_ENDPOINTS = saved.perWorker;
      process.env.JEST_WORKER_ID = saved.worker;
      if (saved.perWorker === undefined) delete process.env.TEST_DYNAMODB_ENDPOINTS;
    }
  });

  it('makes the global setup use that endpoint and start nothing', async () => {
    const saved = { endpoint: process.env.DYNAMODB_ENDPOINT, test: process.env.TEST_DYNAMODB_ENDPOINT, perWorker: process.env.TEST_DYNAMODB_ENDPOINTS };
    const holder = globalThis as { __ORDER_SERVICE_DYNAMODB__?: unknown };
    const runningBefore = holder.__ORDER_SERVICE_DYNAMODB__; // this run's own DynamoDB Local, if in-band
    try {
      process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';
      await globalSetup();
      expect(process.env.TEST_DYNAMODB_ENDPOINT).toBe('http://127.0.0.1:1');
      // Every worker uses it: no per-worker DynamoDB Local list is left to pick from.
      expect(process.env.TEST_DYNAMODB_ENDPOINTS).toBeUndefined();
      expect(testDynamoDbEndpoint()).toBe('http://127.0.0.1:1');
      // No DynamoDB Local was started (none replaced the one this run may hold).
      expect(holder.__ORDER_SERVICE_DYNAMODB__).toBe(runningBefore);
    } finally {
      process.env.DYNAMODB_ENDPOINT = saved.endpoint;
      process.env.TEST_DYNAMODB_ENDPOINT = saved.test;
      if (saved.perWorker !== undefined) process.env.TEST_DYNAMODB_ENDPOINTS = saved.perWorker;
      if (saved.endpoint === undefined) delete process.env.DYNAMODB_ENDPOINT;
    }
  });
});
