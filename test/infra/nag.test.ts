/**
 * cdk-nag 3 (AwsSolutions) runs as a CDK policy-validation plugin, so its findings are not Annotations:
 * an unacknowledged error makes `app.synth()` throw "ValidationFailed" and the report lands in
 * validation-report.json. Both are checked, plus a control proving the plugin really fires.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { createApp } from '../../lib/app';
import { cdkJsonContext, definitionFileForTests, tempOutdir } from './support';

// CDK's built-in CloudFormation-schema validation plugin (warnings only unless a feature flag is set) costs
// ~15 s on this stack; this file is about cdk-nag, and `npm run synth` still runs both.
process.env.CDK_VALIDATION = 'false';

const outdir = () => tempOutdir('order-service-nag-');

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged errors in the app as bin/ builds it, and synth with the plugin succeeds', () => {
    const { app, stack, nag } = createApp(
      { outdir: outdir(), context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } },
      { definitionFile: definitionFileForTests() },
    );

    const { violations } = nag.validateScope(stack);
    const errors = violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
    // Warnings are acknowledged too (with reasons in lib/nag.ts), so `cdk synth` output stays clean.
    expect(violations.map((v) => v.ruleName)).toEqual([]);

    const assembly = app.synth(); // throws ValidationFailed on any unacknowledged error
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const failed = report.pluginReports.filter((r: { conclusion: string }) => r.conclusion !== 'success');
    expect(failed).toEqual([]);
  });

  it('a fresh clone without a dashboard build passes too (only config.json is deployed)', () => {
    const { app, stack, nag } = createApp(
      { outdir: outdir(), context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } },
      { definitionFile: definitionFileForTests(), dashboardDist: path.join(outdir(), 'not-built') },
    );
    expect(nag.validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    const resources: Record<string, { Type: string }> = app.synth().getStackByName('OrderService').template.Resources;
    const deployments = Object.keys(resources).filter((id) => resources[id].Type === 'Custom::CDKBucketDeployment');
    expect(deployments).toEqual([expect.stringMatching(/^DashboardDeployEntry/)]);
  });

  it('control: the same app wiring stops synth when an unacknowledged finding appears', () => {
    const { app, stack } = createApp(
      { outdir: outdir(), context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } },
      { definitionFile: definitionFileForTests() },
    );
    new Bucket(stack, 'InsecureControlBucket'); // no TLS-only policy, no access logs
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => app.synth()).toThrow(/AwsSolutions-S10[\s\S]*InsecureControlBucket|InsecureControlBucket[\s\S]*AwsSolutions-S10/);
    } finally {
      errors.mockRestore();
    }
  });
});
