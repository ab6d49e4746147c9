import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderServiceStack, type OrderServiceStackProps } from './order-service-stack';

/**
 * The CDK app as `cdk synth` builds it (bin/order-service.ts), shared with the tests so they check the
 * same wiring. cdk-nag 3 runs as a CDK policy-validation plugin: an unacknowledged AwsSolutions error stops
 * synth and deploy. Acknowledgements, each with its reason, are in lib/nag.ts.
 */
export function createApp(props: AppProps = {}, stackProps: OrderServiceStackProps = {}) {
  const app = new App(props);
  const stack = new OrderServiceStack(app, 'OrderService', {
    description: 'Order Service: HTTP API, Lambda, DynamoDB, Step Functions, SNS, Cognito, admin dashboard',
    ...stackProps,
  });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  return { app, stack, nag };
}
