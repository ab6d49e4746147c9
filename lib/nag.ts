import { type CfnElement, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { OrderServiceStack } from './order-service-stack';
import { LABELS_PREFIX } from './constructs/service-function';

/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, each with the reason it is accepted. cdk-nag 3
 * acknowledges through CDK's own `Validations.of(scope).acknowledge` (its v2 `NagSuppressions` is gone);
 * an acknowledgement matches one rule id (or one `Rule[finding]`) on a construct and everything under it.
 * Anything not listed here stops `cdk synth`, and test/infra/nag.test.ts fails.
 */
export function acknowledgeNagFindings(stack: OrderServiceStack): void {
  const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
  const logicalId = (scope: IConstruct) => stack.getLogicalId(scope.node.defaultChild as CfnElement);

  // --- Lambda functions (all of them) ---------------------------------------------------------------
  ack(stack, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only allows creating log streams and writing log events (CloudWatch Logs); it is AWS-maintained and grants no data access.');
  for (const fn of stack.functions.values()) {
    ack(fn, 'AwsSolutions-L1',
      'Node.js 22 is pinned on purpose: the local stack, the tests and the Lambdas run the same major version (issue 2, "Node 22 everywhere"). nodejs22.x is a supported Lambda runtime; moving to a newer one is a deliberate upgrade of all three.');
    ack(fn, 'AwsSolutions-IAM5[Resource::*]',
      'Only X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords, added by tracing: ACTIVE) and, for the outbox consumer, dynamodb:ListStreams (added by the stream event source) use Resource "*": neither has resource-level permissions. test/infra/stack.test.ts checks no other action gets "*".');
  }

  // Grants on the customer-managed key, the tables' indexes and the label objects.
  ack(stack, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'Added by the CDK grants for the customer-managed data key (tables, topic): the statements name that one key ARN only (checked in test/infra/stack.test.ts).');
  ack(stack, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    'Added by the CDK DynamoDB grants for the customer-managed data key: the statements name that one key ARN only (checked in test/infra/stack.test.ts).');
  for (const table of [stack.data.table, stack.data.idempotencyTable]) {
    ack(stack, `AwsSolutions-IAM5[Resource::<${logicalId(table)}.Arn>/index/*]`,
      `The table's own global secondary indexes (queries by status, customer, email, SKU: docs/data-model.md); no other table is named.`);
  }
  ack(stack, `AwsSolutions-IAM5[Resource::<${logicalId(stack.data.labelsBucket)}.Arn>/${LABELS_PREFIX}*]`,
    'Label objects are keyed per order (labels/<orderId>/<tracking>.pdf|zpl), so the grant covers the labels/ prefix of the one private bucket; only GetObject/PutObject are allowed.');

  // --- Operations -------------------------------------------------------------------------------------
  const opsAlarms = stack.functions.get('AdminListOpsAlarms');
  if (opsAlarms) {
    ack(opsAlarms, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${stack.stackName}-*]`,
      'The ops alarms route reads (cloudwatch:DescribeAlarms only) the alarms of this stack, which are named by the stack-name prefix (lib/constructs/operations.ts); the prefix is the narrowest resource that covers alarms added later (stream consumers, dead-letter queues).');
  }

  // --- API: public routes ------------------------------------------------------------------------------
  for (const [name, route] of stack.api.routes) {
    const def = stack.routeTable.find((r) => r.name === name);
    if (def?.auth !== 'public') continue;
    ack(route, 'AwsSolutions-APIG4',
      def.path.startsWith('/webhooks/')
        ? 'Webhook called by the payment provider or carrier, which cannot hold Cognito tokens; the handler verifies the request signature (Stripe-Signature / HMAC-SHA256 with replay window) and rejects anything else with 400.'
        : 'Public by the product contract (SPEC.md "Public" endpoints: health, catalogue, tracking without personal data); read-only and throttled per route below the stage default (lib/constructs/http-api.ts).');
  }

  // --- Secrets -----------------------------------------------------------------------------------------
  for (const secret of [stack.integrations.stripeApiKey, stack.integrations.stripeWebhookSecret, stack.integrations.carrierWebhookSecret]) {
    ack(secret, 'AwsSolutions-SMG4',
      'Third-party credentials issued by Stripe or the carrier: they can only be rotated in the provider\'s dashboard, then stored with put-secret-value (docs/deploy.md). A rotation Lambda cannot mint them.');
  }
  ack(stack.integrations.cursorKey, 'AwsSolutions-SMG4',
    'The cursor HMAC key protects only the integrity of pagination cursors, which live for minutes; rotating it (aws secretsmanager rotate-secret or put-secret-value with a new random value) just makes cursors in flight a 400, so an automatic rotation Lambda would add a function and a schedule for no security gain (docs/decisions.md, 2026-12-01).');

  // --- Workflow --------------------------------------------------------------------------------------
  ack(stack.workflow.stateMachine, 'AwsSolutions-IAM5[Resource::*]',
    'X-Ray tracing (xray:PutTraceSegments and friends) and CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, ...) have no resource-level permissions; Lambda invoke is granted on the eight task ARNs only.');

  // --- Outbox and reconciler -------------------------------------------------------------------------
  ack(stack.outbox.deadLetterQueue, 'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue of the outbox stream mapping; the reconciler repairs the effects of records that land here, and the queue keeps them 14 days for inspection.');
  const reconciler = stack.functions.get('Reconciler');
  if (reconciler) {
    const machine = logicalId(stack.workflow.stateMachine);
    ack(reconciler, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}:*]`,
      'states:DescribeExecution on the executions of the one order state machine (execution:<machine>:*): execution names are order ids, only known at run time.');
  }
  ack(stack, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId((stack.functions.get('Reconciler')!.node.defaultChild as CfnElement))}.Arn>:*]`,
    'Added by the EventBridge Scheduler Lambda target: invoke of the reconciler function and its versions/aliases only.');
  const dispatcher = stack.functions.get('WebhookDispatcher');
  if (dispatcher) {
    ack(stack, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(dispatcher.node.defaultChild as CfnElement)}.Arn>:*]`,
      'Added by the EventBridge Scheduler Lambda target: invoke of the webhook dispatcher function and its versions/aliases only.');
  }

  // --- Cognito -----------------------------------------------------------------------------------------
  ack(stack.auth.userPool, 'AwsSolutions-COG2',
    'The customer pool keeps MFA optional (TOTP): storefront shoppers cannot all be forced into an authenticator app. Administrators use a separate pool (AdminPool) that requires TOTP MFA, and /admin routes accept only its tokens. Threat protection (Plus plan, enforced by default) blocks risky and compromised-credential sign-ins.');

  if (stack.settings.userPoolFeaturePlan === 'essentials') {
    for (const pool of [stack.auth.userPool, stack.auth.adminPool]) {
      ack(pool, 'AwsSolutions-COG3',
        'The operator chose the Essentials feature plan (context userPoolFeaturePlan=essentials) to avoid the Plus per-user price; threat protection is then unavailable.');
    }
  }

  // --- Dashboard ---------------------------------------------------------------------------------------
  ack(stack.dashboard.distribution, 'AwsSolutions-CFR4',
    'The distribution uses the default *.cloudfront.net certificate, for which CloudFront does not allow choosing the minimum TLS version. Attaching a custom domain with an ACM certificate (TLSv1.2_2021) is the fix when the dashboard gets its own domain.');

  ack(stack.dashboard.distribution, 'AwsSolutions-CFR1',
    'No geo restriction: admins work from anywhere, and the site is a static bundle with no data; every API call is authenticated by Cognito.');
  ack(stack.dashboard.distribution, 'AwsSolutions-CFR2',
    'No WAF web ACL: the distribution serves only static files (no origin logic to attack), and a CloudFront web ACL must live in us-east-1 while this stack is region-agnostic. The API is throttled at its stage.');

  // BucketDeployment's provider Lambda (a CDK singleton at stack level).
  const deployment = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (deployment) {
    const why = 'CDK BucketDeployment provider (copies the dashboard build and config.json from the CDK asset bucket into the site bucket, then invalidates CloudFront, which has no resource-level permissions); its runtime and policy are generated by aws-cdk-lib and scoped to the asset bucket and the site bucket.';
    for (const finding of [
      'AwsSolutions-L1',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]`,
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.dashboard.bucket)}.Arn>/*]`,
    ]) ack(deployment, finding, why);
  }
}
