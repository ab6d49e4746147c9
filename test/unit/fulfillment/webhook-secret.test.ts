import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { carrierWebhookSecret } from '../../../functions/fulfillment/webhook-secret';

const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:carrier-AbCdEf';

beforeEach(() => {
  sm.reset();
  process.env.AWS_REGION = 'eu-west-1';
  process.env.CARRIER_WEBHOOK_SECRET_ARN = ARN;
  delete process.env.CARRIER_WEBHOOK_SECRET;
});
afterAll(() => delete process.env.CARRIER_WEBHOOK_SECRET_ARN);

test('on AWS the carrier secret comes from Secrets Manager (through the traced provider), cached across calls', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'hmac-key-from-secrets-manager' });
  expect(await carrierWebhookSecret()).toBe('hmac-key-from-secrets-manager');
  expect(await carrierWebhookSecret()).toBe('hmac-key-from-secrets-manager');
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
});
