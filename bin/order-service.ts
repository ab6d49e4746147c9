#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderServiceStack } from '../lib/order-service-stack';

/**
 * The CDK app. Environment-agnostic (no account or region lookups), so `npm run synth` works offline; the
 * account and region come from the CLI profile at deploy time.
 *
 * cdk-nag (AWS Solutions rules) runs as a CDK policy-validation plugin: an unacknowledged error stops synth.
 * Acknowledgements, each with its reason, live next to the resources (lib/nag.ts).
 */
const app = new App();
new OrderServiceStack(app, 'OrderService', {
  description: 'Order Service: HTTP API, Lambda, DynamoDB, Step Functions, SNS, Cognito, admin dashboard',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
