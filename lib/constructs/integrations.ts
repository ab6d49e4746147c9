import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface IntegrationsProps {
  readonly key: IKey;
  readonly alertEmail: string | undefined;
  readonly senderEmail: string;
  readonly retainData: boolean;
}

/**
 * The outside world: the low-stock alert topic (ops email), the third-party secrets (Stripe, carrier) and
 * the SES identity customer emails are sent from.
 */
export class Integrations extends Construct {
  readonly alertTopic: Topic;
  readonly stripeApiKey: Secret;
  readonly stripeWebhookSecret: Secret;
  readonly carrierWebhookSecret: Secret;
  /** HMAC key for list cursors (functions/commons/pagination.ts): generated here, never typed in by anyone. */
  readonly cursorKey: Secret;
  readonly senderIdentity: EmailIdentity;

  constructor(scope: Construct, id: string, props: IntegrationsProps) {
    super(scope, id);

    this.alertTopic = new Topic(this, 'LowStockAlerts', {
      displayName: 'Order Service low-stock alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alertEmail) this.alertTopic.addSubscription(new EmailSubscription(props.alertEmail));

    // Created with a random placeholder so the stack deploys; operators put the real values in after the
    // first deploy (docs/deploy.md). Functions read them at run time (cached), never at deploy time.
    const secret = (secretId: string, description: string) =>
      new Secret(this, secretId, {
        description,
        encryptionKey: props.key,
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    this.stripeApiKey = secret('StripeApiKey', 'Stripe secret API key (sk_live_... or sk_test_...) for PaymentIntents');
    this.stripeWebhookSecret = secret('StripeWebhookSecret', 'Stripe webhook endpoint signing secret (whsec_...)');
    this.carrierWebhookSecret = secret('CarrierWebhookSecret', 'HMAC-SHA256 key shared with the carrier for /webhooks/carrier');
    this.cursorKey = new Secret(this, 'CursorKey', {
      description: 'HMAC-SHA256 key that signs list cursors (generated; rotating it only invalidates cursors in flight)',
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.senderIdentity = new EmailIdentity(this, 'SenderIdentity', {
      identity: Identity.email(props.senderEmail),
    });
  }
}
