import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FONT_FILES, FONTS_DIR_NAME } from '../../functions/fulfillment/font-files';
import { OPENAPI_FILE_NAME } from '../../functions/openapi/document-file';
import { functionSettings } from '../function-settings';
import type { Route } from '../routes';

/** Label objects live under this prefix (functions/fulfillment/label-storage.ts labelKey). */
export const LABELS_PREFIX = 'labels/';

export type Need = NonNullable<Route['needs']>[number];

/** How a function may touch the main table. */
export type TableAccess = 'none' | 'read' | 'readWrite';

/** What one Lambda is: a route or a workflow task from lib/routes.ts. */
export interface FunctionSpec {
  readonly name: string;
  readonly entry: string;
  readonly needs?: readonly Need[];
  readonly tableAccess: TableAccess;
  /** Only these partition-key prefixes of the main table (dynamodb:LeadingKeys), base table only. */
  readonly tableKeys?: readonly string[];
  /** Only for the labels bucket: GET routes read labels, the label step writes them. */
  readonly labelsAccess?: 'read' | 'readWrite';
  readonly overrides?: Partial<NodejsFunctionProps>;
}

/** The resources a function may be granted, and the settings every function gets. */
export interface FunctionDeps {
  readonly projectRoot: string;
  readonly table: ITable;
  readonly idempotencyTable: ITable;
  readonly alertTopic: ITopic;
  readonly labelsBucket: IBucket;
  /** The labels bucket's SSE-KMS key. */
  readonly labelsKey: IKey;
  readonly stripeApiKey: ISecret;
  readonly stripeWebhookSecret: ISecret;
  readonly carrierWebhookSecret: ISecret;
  readonly cursorKey: ISecret;
  readonly senderIdentity: IEmailIdentity;
  readonly senderEmail: string;
  /** Ops alarm names start with this (lib/constructs/operations.ts); the ops alarms route lists them. */
  readonly opsAlarmPrefix: string;
  /** The integrators' EventBridge bus (lib/constructs/webhooks.ts): functions that need 'eventBus' put events on it. */
  readonly eventBus?: IEventBus;
  /** Settings shared by every function: ORDER_HOLD_SECONDS, TRACKING_BASE_URL, TRACKING_COUNTRY. */
  readonly commonEnvironment: Record<string, string>;
  /** Extra settings for the functions that need 'labels' (the label's return address). */
  readonly labelsEnvironment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Copies the PDF fonts from node_modules into `fonts/` beside the bundle (read at run time by
 * functions/fulfillment/fonts.ts), so the 6 MB of TTF never enter the JavaScript bundle or other functions.
 */
export const fontCommandHooks = {
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (inputDir: string, outputDir: string): string[] => [
    `mkdir -p "${path.join(outputDir, FONTS_DIR_NAME)}"`,
    ...Object.entries(FONT_FILES).map(([name, source]) => `cp "${path.join(inputDir, 'node_modules', source)}" "${path.join(outputDir, FONTS_DIR_NAME, name)}"`),
  ],
};

/** The package functions/adapters/payments/stripe-sdk.ts loads on first use; shipped beside the bundle. */
export const STRIPE_PACKAGE = 'stripe';

/** The package functions/domain/address.ts loads on first use (234 KB, nearly all of it address templates). */
export const ADDRESS_FORMATTER_PACKAGE = '@fragaria/address-formatter';

/** The font engine functions/fulfillment/fonts.ts loads on the first render (918 KB of JS). */
export const FONTKIT_PACKAGE = '@pdf-lib/fontkit';

/** The MIME builder functions/adapters/mailer.ts loads on the first email (nodemailer's, 135 KB). */
export const MAIL_COMPOSER_MODULE = 'nodemailer/lib/mail-composer';

/** The functions that may call Stripe (and so get the SDK beside their bundle): by their declared needs. */
export const needsStripeSdk = (needs: readonly Need[] = []) => needs.includes('payments') || needs.includes('stripeWebhookSecret');

/** Every package some function gets beside its bundle (the bench and the tests iterate over these). */
export const BESIDE_PACKAGES = [STRIPE_PACKAGE, ADDRESS_FORMATTER_PACKAGE, FONTKIT_PACKAGE, MAIL_COMPOSER_MODULE] as const;

/** The packages a function gets beside its bundle, loaded on first use: by its declared needs. */
export const besidePackagesFor = (needs: readonly Need[] = []): string[] => [
  ...(needsStripeSdk(needs) ? [STRIPE_PACKAGE] : []),
  ...(needs.includes('addresses') ? [ADDRESS_FORMATTER_PACKAGE] : []),
  ...(needs.includes('pdf') ? [FONTKIT_PACKAGE] : []),
  ...(needs.includes('email') ? [MAIL_COMPOSER_MODULE] : []),
];

/**
 * Builds a package into one CommonJS file at `node_modules/<package>/index.js` beside the bundle (esbuild,
 * offline, from the installed package), where `require(<package>)` in the bundle finds it on first use. Not
 * part of the bundle, so not parsed or run at init.
 */
export const besidePackageCommands = (packageName: string, inputDir: string, outputDir: string): string[] => {
  // CDK calls hooks with its Docker paths too (/asset-input), so nothing is read from inputDir here: the
  // entry's place inside the project and the version come from this checkout's installed package.
  const projectRoot = path.resolve(__dirname, '..', '..');
  const resolved = require.resolve(packageName, { paths: [projectRoot] });
  const source = path.join(inputDir, path.relative(projectRoot, resolved));
  // A subpath (nodemailer/lib/mail-composer) is built on its own; the version is its package's.
  const packageRoot = packageName.split('/').slice(0, packageName.startsWith('@') ? 2 : 1).join('/');
  const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', packageRoot, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(outputDir, 'node_modules', packageName);
  return [
    `mkdir -p "${target}"`,
    `"${path.join(inputDir, 'node_modules', '.bin', 'esbuild')}" "${source}" --bundle --platform=node --target=node22 --format=cjs --minify --legal-comments=none --log-level=warning --outfile="${path.join(target, 'index.js')}"`,
    `printf '%s' '${JSON.stringify({ name: packageName, version, main: 'index.js' })}' > "${path.join(target, 'package.json')}"`,
  ];
};

/** Files a function reads at run time, copied beside its bundle: name beside the bundle → path in the project. */
export const besideFilesFor = (needs: readonly Need[] = []): Record<string, string> =>
  needs.includes('openapi') ? { [OPENAPI_FILE_NAME]: `functions/openapi/${OPENAPI_FILE_NAME}` } : {};

/** `functionSettings` plus where to find the handler: what every service Lambda (and the bundle test) uses. */
export function bundledFunctionProps(
  projectRoot: string,
  entry: string,
  options: { fonts?: boolean; beside?: readonly string[]; files?: Record<string, string> } = {},
): NodejsFunctionProps {
  const beside = options.beside ?? [];
  const files = Object.entries(options.files ?? {});
  const hooks = options.fonts || beside.length || files.length
    ? {
        commandHooks: {
          beforeBundling: (): string[] => [],
          beforeInstall: (): string[] => [],
          afterBundling: (inputDir: string, outputDir: string): string[] => [
            ...(options.fonts ? fontCommandHooks.afterBundling(inputDir, outputDir) : []),
            ...beside.flatMap((name) => besidePackageCommands(name, inputDir, outputDir)),
            ...files.map(([name, source]) => `cp "${path.join(inputDir, source)}" "${path.join(outputDir, name)}"`),
          ],
        },
      }
    : {};
  return {
    ...functionSettings,
    bundling: {
      ...functionSettings.bundling,
      ...(beside.length ? { externalModules: [...functionSettings.bundling.externalModules, ...beside] } : {}),
      ...hooks,
    },
    entry,
    handler: 'handler',
    projectRoot,
    depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
  };
}

/**
 * One NodejsFunction built from `functionSettings`, with exactly the environment and grants its `needs`
 * (and its table access) call for: nothing is granted to every function "just in case".
 */
export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, spec: FunctionSpec, deps: FunctionDeps, stateMachine?: IStateMachine) {
    super(scope, id);
    const needs = new Set(spec.needs ?? []);
    const entry = path.join(deps.projectRoot, spec.entry);
    if (!fs.existsSync(entry)) {
      throw new Error(`Handler file for ${spec.name} not found: ${spec.entry} (listed in lib/routes.ts). Write it or remove the entry.`);
    }

    const environment: Record<string, string> = {
      ...functionSettings.environment,
      ...deps.commonEnvironment,
      // The route or task name (ReserveStock), a low-cardinality metric dimension (functions/commons/step.ts).
      SERVICE_FUNCTION_NAME: spec.name,
    };
    if (spec.tableAccess !== 'none') environment.TABLE_NAME = deps.table.tableName;
    if (needs.has('idempotency')) environment.IDEMPOTENCY_TABLE_NAME = deps.idempotencyTable.tableName;
    if (needs.has('workflow') || needs.has('workflowStatus')) {
      if (!stateMachine) throw new Error(`${spec.name} needs 'workflow' but no state machine was given.`);
      environment.STATE_MACHINE_ARN = stateMachine.stateMachineArn;
    }
    if (needs.has('alerts')) environment.ALERT_TOPIC_ARN = deps.alertTopic.topicArn;
    if (needs.has('labels')) {
      Object.assign(environment, deps.labelsEnvironment);
      environment.LABELS_BUCKET = deps.labelsBucket.bucketName;
      // Explicit SSE-KMS key on PutObject (functions/fulfillment/settings.ts); the bucket default is the same key.
      environment.LABELS_KMS_KEY_ID = deps.labelsKey.keyArn;
    }
    if (needs.has('payments')) environment.STRIPE_SECRET_ARN = deps.stripeApiKey.secretArn;
    if (needs.has('stripeWebhookSecret')) environment.STRIPE_WEBHOOK_SECRET_ARN = deps.stripeWebhookSecret.secretArn;
    if (needs.has('carrierSecret')) environment.CARRIER_WEBHOOK_SECRET_ARN = deps.carrierWebhookSecret.secretArn;
    if (needs.has('email')) environment.SENDER_EMAIL = deps.senderEmail;
    if (needs.has('pdf')) Object.assign(environment, deps.labelsEnvironment);
    if (needs.has('cursors')) environment.CURSOR_SECRET_ARN = deps.cursorKey.secretArn;
    if (needs.has('opsAlarms')) environment.OPS_ALARM_PREFIX = deps.opsAlarmPrefix;
    if (needs.has('eventBus')) {
      if (!deps.eventBus) throw new Error(`${spec.name} needs 'eventBus' but no bus was given.`);
      environment.EVENT_BUS_NAME = deps.eventBus.eventBusName;
    }

    this.fn = new NodejsFunction(this, 'Function', {
      ...bundledFunctionProps(deps.projectRoot, entry, { fonts: needs.has('pdf'), beside: besidePackagesFor([...needs]), files: besideFilesFor([...needs]) }),
      ...spec.overrides,
      description: `order-service ${spec.name} (${spec.entry})`,
      environment,
      logGroup: new LogGroup(this, 'Logs', { retention: deps.logRetention, removalPolicy: deps.removalPolicy }),
    });

    // Grants: the main table by access level, everything else only by declared need. The KMS permissions
    // for the customer-managed key come with each grant.
    if (spec.tableKeys?.length && spec.tableAccess !== 'none') {
      // Item-level least privilege: single-item actions and Query on the base table, only for items whose
      // partition key starts with a declared prefix. No Scan (it has no leading key) and no index.
      const write = spec.tableAccess === 'readWrite';
      this.fn.addToRolePolicy(new PolicyStatement({
        actions: [
          'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem',
          ...(write ? ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] : []),
        ],
        resources: [deps.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': spec.tableKeys.map((prefix) => `${prefix}*`) } },
      }));
      if (deps.table.encryptionKey) {
        if (write) deps.table.encryptionKey.grantEncryptDecrypt(this.fn);
        else deps.table.encryptionKey.grantDecrypt(this.fn);
      }
    } else if (spec.tableAccess === 'read') deps.table.grantReadData(this.fn);
    else if (spec.tableAccess === 'readWrite') deps.table.grantReadWriteData(this.fn);
    if (needs.has('idempotency')) deps.idempotencyTable.grantReadWriteData(this.fn);
    if (needs.has('workflow')) stateMachine!.grantStartExecution(this.fn);
    // The reconciler reads whether an order's execution still runs (executions of this machine only).
    if (needs.has('workflowStatus')) stateMachine!.grantExecution(this.fn, 'states:DescribeExecution');
    if (needs.has('alerts')) deps.alertTopic.grantPublish(this.fn);
    if (needs.has('labels')) {
      // Narrower than bucket.grantRead/ReadWrite (no List*, Delete*, GetBucket*): the label step writes
      // objects under labels/, the admin label route reads (presigns) them; nothing deletes.
      const write = (spec.labelsAccess ?? 'readWrite') === 'readWrite';
      this.fn.addToRolePolicy(new PolicyStatement({
        actions: write ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'],
        resources: [deps.labelsBucket.arnForObjects(`${LABELS_PREFIX}*`)],
      }));
      deps.labelsKey.grant(this.fn, ...(write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']));
    }
    if (needs.has('payments')) deps.stripeApiKey.grantRead(this.fn);
    if (needs.has('stripeWebhookSecret')) deps.stripeWebhookSecret.grantRead(this.fn);
    if (needs.has('carrierSecret')) deps.carrierWebhookSecret.grantRead(this.fn);
    if (needs.has('email')) deps.senderIdentity.grantSendEmail(this.fn);
    if (needs.has('cursors')) deps.cursorKey.grantRead(this.fn);
    if (needs.has('eventBus')) deps.eventBus!.grantPutEventsTo(this.fn);
    if (needs.has('opsAlarms')) {
      // Read-only, and only this service's alarms (by name prefix).
      this.fn.addToRolePolicy(new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${deps.opsAlarmPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
    }
  }
}
