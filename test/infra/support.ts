import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFINITION_FILE, OrderServiceStack, PROJECT_ROOT, type OrderServiceStackProps } from '../../lib/order-service-stack';

/** cdk.json's context, so tests synthesize what `npm run synth` does. */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

export const FIXTURES = path.join(__dirname, 'fixtures');
/** A tiny valid workflow naming every task, used only when the real ASL file is absent. */
export const PLACEHOLDER_ASL = path.join(FIXTURES, 'order-fulfillment.placeholder.asl.json');
export const definitionFileForTests = () => (fs.existsSync(DEFINITION_FILE) ? DEFINITION_FILE : PLACEHOLDER_ASL);

/** A temp cloud-assembly directory (~25 MB with the BucketDeployment layer), removed after the test file. */
const outdirs: string[] = [];
export function tempOutdir(prefix = 'order-service-cdk-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export interface Synth {
  app: App;
  stack: OrderServiceStack;
  template: Template;
  /** The nested stack of the API routes, their integrations and invoke permissions. */
  routesTemplate: Template;
}

/**
 * The stack as `cdk synth` builds it, minus esbuild: `aws:cdk:bundling-stacks: []` makes every
 * NodejsFunction skip bundling (test/infra/bundle.test.ts bundles for real).
 */
export function synth(context: Record<string, unknown> = {}, props: OrderServiceStackProps = {}): Synth {
  const app = new App({
    outdir: tempOutdir(),
    context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = new OrderServiceStack(app, 'OrderService', { definitionFile: definitionFileForTests(), ...props });
  return { app, stack, template: Template.fromStack(stack), routesTemplate: Template.fromStack(stack.apiRoutes) };
}

// ---- template helpers ----------------------------------------------------------------------------------

export type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** Logical id of the Lambda built for a route or workflow task (construct path <Name>/Function). */
export function functionLogicalId(template: Template, name: string): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => new RegExp(`^${name}Function[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`Expected one Lambda for ${name}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** Every Allow statement in the IAM policies attached to the function's execution role. */
export function statementsOf(template: Template, name: string): Statement[] {
  const resources = template.toJSON().Resources as Resources;
  const fn = resources[functionLogicalId(template, name)];
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow');
}

export const allActionsOf = (template: Template, name: string): Set<string> =>
  new Set(statementsOf(template, name).flatMap(actionsOf));

/** True when any statement of the function names the resource (a Ref / GetAtt of this logical id). */
export function touches(template: Template, name: string, logicalId: string): boolean {
  return statementsOf(template, name).some((s) => JSON.stringify(s.Resource).includes(`"${logicalId}"`));
}

export function logicalIdsOfType(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}

/** The single resource of a type whose logical id starts with a prefix. */
export function logicalIdWithPrefix(template: Template, type: string, prefix: string): string {
  const ids = logicalIdsOfType(template, type).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`Expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/**
 * What a nested stack's parameter stands for in the parent template: a value in the nested template such as
 * `{ Ref: 'referencetoOrderService…' }` resolves to the parent's expression (e.g. `{ 'Fn::GetAtt': [fn, 'Arn'] }`)
 * passed in the nested stack resource's Parameters; any other value comes back unchanged.
 */
export function fromParent(parent: Template, value: unknown): unknown {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref !== 'string') return value;
  for (const r of Object.values(parent.findResources('AWS::CloudFormation::Stack'))) {
    const parameters = (r.Properties?.Parameters ?? {}) as Record<string, unknown>;
    if (ref in parameters) return parameters[ref];
  }
  return value;
}
