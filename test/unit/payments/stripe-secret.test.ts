import { getSecret } from '../../../functions/commons/secrets';
import { StripeGateway, stripeGateway, stripeSecretKey } from '../../../functions/adapters/payments/stripe-gateway';
import { SandboxGateway } from '../../../functions/adapters/payments/sandbox-gateway';
import { PaymentUnavailableError } from '../../../functions/payments/gateway';
import { currentGateway } from '../../../functions/payments/service';

jest.mock('../../../functions/commons/secrets', () => ({ getSecret: jest.fn() }));
const mockedGetSecret = getSecret as jest.MockedFunction<typeof getSecret>;

describe('choosing the payment gateway and reading the Stripe secret', () => {
  beforeEach(() => {
    delete process.env.STRIPE_SECRET_KEY;
    delete process.env.STRIPE_SECRET_ARN;
    mockedGetSecret.mockReset();
  });

  it('uses the sandbox when no Stripe secret is configured', async () => {
    expect(await stripeSecretKey()).toBeUndefined();
    expect(await currentGateway()).toBeInstanceOf(SandboxGateway);
    expect(mockedGetSecret).not.toHaveBeenCalled();
  });

  it('uses STRIPE_SECRET_KEY locally, without Secrets Manager', async () => {
    process.env.STRIPE_SECRET_KEY = 'sk_test_local';
    process.env.STRIPE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe';
    expect(await stripeSecretKey()).toBe('sk_test_local');
    expect(await currentGateway()).toBeInstanceOf(StripeGateway);
    expect(mockedGetSecret).not.toHaveBeenCalled();
  });

  it('reads STRIPE_SECRET_ARN through Powertools with a cache age, and reuses the client for the same key', async () => {
    process.env.STRIPE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe';
    mockedGetSecret.mockResolvedValue('sk_live_from_secrets_manager\n' as never);
    expect(await stripeSecretKey()).toBe('sk_live_from_secrets_manager');
    expect(mockedGetSecret).toHaveBeenCalledWith(process.env.STRIPE_SECRET_ARN, { maxAge: 300 });
    expect(await stripeGateway()).toBe(await stripeGateway());
  });

  it('fails fast with PaymentUnavailable while the secret still holds the deploy-time placeholder', async () => {
    process.env.STRIPE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe';
    mockedGetSecret.mockResolvedValue('Xk29dkQp0aLm3nB7cV8zR1tY6uW4sE5f' as never);
    await expect(stripeSecretKey()).rejects.toBeInstanceOf(PaymentUnavailableError);
    await expect(currentGateway()).rejects.toBeInstanceOf(PaymentUnavailableError);
  });
});
