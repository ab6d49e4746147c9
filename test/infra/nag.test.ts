/**
 * cdk-nag 3 (AwsSolutions) runs as a CDK policy-validation plugin, so its findings are not Annotations:
 * an unacknowledged error makes `app.synth()` throw "ValidationFailed" and the report lands in
 * validation-report.json. Both are checked, plus a control proving the plugin really fires.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderServiceStack } from '../../lib/order-service-stack';
import { cdkJsonContext, definitionFileForTests } from './support';

// CDK's built-in CloudFormation-schema validation plugin (warnings only unless a feature flag is set) costs
// ~15 s on this stack; this file is about cdk-nag, and `npm run synth` still runs both.
process.env.CDK_VALIDATION = 'false';

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'order-service-nag-'));

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged errors in the stack, and synth with the plugin succeeds', () => {
    const app = new App({ outdir: outdir(), context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    const stack = new OrderServiceStack(app, 'OrderService', { definitionFile: definitionFileForTests() });
    const pack = new AwsSolutionsChecks(app);

    const { violations } = pack.validateScope(stack);
    const errors = violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
    // Warnings are acknowledged too (with reasons in lib/nag.ts), so `cdk synth` output stays clean.
    expect(violations.map((v) => v.ruleName)).toEqual([]);

    Validations.of(app).addPlugins(pack);
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.filter((r: { pluginName: string }) => r.pluginName === 'AwsSolutions');
    for (const r of nag) expect(r.violations).toEqual([]);
  });

  it('control: the same plugin set-up stops synth on an insecure bucket', () => {
    const app = new App({ outdir: outdir() });
    new Bucket(new Stack(app, 'Insecure'), 'Open');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
    } finally {
      errors.mockRestore();
    }
  });
});
