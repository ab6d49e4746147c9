import * as path from 'node:path';
import { CfnOutput, Duration, NestedStack, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Auth } from './constructs/auth';
import { Dashboard } from './constructs/dashboard';
import { Data } from './constructs/data';
import { OrderApi } from './constructs/http-api';
import { Integrations } from './constructs/integrations';
import { Operations } from './constructs/operations';
import { ServiceFunction, type FunctionDeps, type TableAccess } from './constructs/service-function';
import { Workflow } from './constructs/workflow';
import { readContext, type ServiceContext } from './context';
import { WORKFLOW_TASK_TIMEOUT } from './function-settings';
import { acknowledgeNagFindings } from './nag';
import { backgroundFunctions, routes as allRoutes, workflowTasks as allTasks, type Route } from './routes';
import { Outbox } from './constructs/outbox';
import { Webhooks } from './constructs/webhooks';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DEFINITION_FILE = path.join(PROJECT_ROOT, 'statemachines', 'order-fulfillment.asl.json');

export interface OrderServiceStackProps extends StackProps {
  readonly projectRoot?: string;
  /** Tests only: another ASL file (default: statemachines/order-fulfillment.asl.json). */
  readonly definitionFile?: string;
  /** The dashboard build to deploy (default: dashboard/dist; skipped when not built). */
  readonly dashboardDist?: string;
}

/**
 * Main-table access of a route's Lambda, by method and name: reads (GET) get read-only access, every other
 * method changes state and gets read/write. Health reads one key to prove the table answers.
 * Item-level restriction (per key prefix, `tableKeys` in the route table) is declared where the code path
 * is narrow and public: the carrier and Stripe webhooks. Elsewhere one table holds every entity and most writes are
 * multi-entity transactions across prefixes.
 */
export function tableAccessFor(route: Route): TableAccess {
  // The ops alarms route reads CloudWatch only.
  if (route.name === 'AdminListOpsAlarms') return 'none';
  return route.method === 'GET' ? 'read' : 'readWrite';
}

export class OrderServiceStack extends Stack {
  readonly data: Data;
  readonly auth: Auth;
  readonly integrations: Integrations;
  readonly workflow: Workflow;
  readonly api: OrderApi;
  /** The API routes, integrations and invoke permissions (a nested stack: see the constructor). */
  readonly apiRoutes: NestedStack;
  readonly dashboard: Dashboard;
  readonly outbox: Outbox;
  readonly operations: Operations;
  readonly webhooks: Webhooks;
  readonly routeTable: readonly Route[];
  readonly settings: ServiceContext;
  /** Every Lambda by route or task name. */
  readonly functions = new Map<string, IFunction>();

  constructor(scope: Construct, id: string, props: OrderServiceStackProps = {}) {
    super(scope, id, props);
    const ctx = readContext(this.node);
    this.settings = ctx;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const routes = allRoutes;
    this.routeTable = routes;
    const workflowTasks = allTasks;
    const removalPolicy = ctx.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention: RetentionDays = ctx.logRetentionDays;

    this.data = new Data(this, 'Data', { retainData: ctx.retainData });
    this.auth = new Auth(this, 'Auth', { retainData: ctx.retainData, featurePlan: ctx.userPoolFeaturePlan });
    this.integrations = new Integrations(this, 'Integrations', {
      key: this.data.key,
      alertEmail: ctx.alertEmail,
      senderEmail: ctx.senderEmail,
      retainData: ctx.retainData,
    });
    this.webhooks = new Webhooks(this, 'Webhooks');
    this.dashboard = new Dashboard(this, 'Dashboard', { accessLogsBucket: this.data.accessLogsBucket, removalPolicy });

    // The API comes before its Lambdas so they can link to /tracking on it; the API resource itself does
    // not depend on the functions (routes and integrations do), so there is no cycle.
    const functionsForRoutes = new Map<string, IFunction>();
    this.api = new OrderApi(this, 'Api', {
      routes,
      userPool: this.auth.userPool,
      userPoolClient: this.auth.client,
      adminUserPool: this.auth.adminPool,
      adminUserPoolClient: this.auth.adminClient,
      corsOrigins: [this.dashboard.url, ...ctx.extraCorsOrigins],
      rateLimit: ctx.apiRateLimit,
      burstLimit: ctx.apiBurstLimit,
      publicRateLimit: ctx.publicRateLimit,
      publicBurstLimit: ctx.publicBurstLimit,
      logRetention,
      removalPolicy,
    });

    const deps: FunctionDeps = {
      projectRoot,
      table: this.data.table,
      idempotencyTable: this.data.idempotencyTable,
      alertTopic: this.integrations.alertTopic,
      labelsBucket: this.data.labelsBucket,
      labelsKey: this.data.key,
      stripeApiKey: this.integrations.stripeApiKey,
      stripeWebhookSecret: this.integrations.stripeWebhookSecret,
      carrierWebhookSecret: this.integrations.carrierWebhookSecret,
      cursorKey: this.integrations.cursorKey,
      senderIdentity: this.integrations.senderIdentity,
      senderEmail: ctx.senderEmail,
      opsAlarmPrefix: `${this.stackName}-`,
      eventBus: this.webhooks.bus,
      commonEnvironment: {
        POWERTOOLS_LOGGER_SAMPLE_RATE: String(ctx.logSampleRate),
        ORDER_HOLD_SECONDS: String(ctx.orderHoldSeconds),
        TRACKING_BASE_URL: ctx.trackingBaseUrl ?? `${this.api.url}/tracking`,
        PAYMENT_ACTION_BASE_URL: `${this.api.url}/sandbox/payments`,
        API_BASE_URL: this.api.url,
        TRACKING_COUNTRY: ctx.trackingCountry,
        ...(ctx.trackingServiceIndicator ? { TRACKING_SERVICE_INDICATOR: ctx.trackingServiceIndicator } : {}),
      },
      labelsEnvironment: {
        ...(ctx.senderName ? { SENDER_NAME: ctx.senderName } : {}),
        ...(ctx.senderAddress ? { SENDER_ADDRESS: ctx.senderAddress } : {}),
      },
      logRetention,
      removalPolicy,
    };

    // Workflow task Lambdas, then the state machine that invokes them (PlaceOrder starts it).
    const taskFunctions = new Map<string, IFunction>();
    for (const task of workflowTasks) {
      const { fn } = new ServiceFunction(this, task.name, {
        name: task.name,
        entry: task.entry,
        needs: task.needs,
        tableAccess: 'readWrite',
        labelsAccess: 'readWrite',
        overrides: { timeout: WORKFLOW_TASK_TIMEOUT },
      }, deps);
      taskFunctions.set(task.name, fn);
      this.functions.set(task.name, fn);
    }
    this.workflow = new Workflow(this, 'Workflow', {
      definitionFile: props.definitionFile ?? DEFINITION_FILE,
      tasks: taskFunctions,
      logRetention,
      removalPolicy,
    });

    for (const route of routes) {
      const { fn } = new ServiceFunction(this, route.name, {
        name: route.name,
        entry: route.entry,
        needs: route.needs,
        tableAccess: tableAccessFor(route),
        tableKeys: route.tableKeys,
        labelsAccess: route.method === 'GET' ? 'read' : 'readWrite',
      }, deps, this.workflow.stateMachine);
      functionsForRoutes.set(route.name, fn);
      this.functions.set(route.name, fn);
    }
    // One route is three resources (route, integration, invoke permission): they live in a nested stack, so
    // the main template stays under CloudFormation's 500 resources per stack (604 with them, 2026-12-02).
    // The nested stack depends on the API and the functions, never the other way round.
    this.apiRoutes = new NestedStack(this, 'ApiRoutes', { description: 'Order Service API routes, integrations and invoke permissions' });
    this.api.addRoutes(functionsForRoutes, new Construct(this.apiRoutes, 'Api'));

    // The outbox consumer and the reconciler (SPEC.md "Guarantees under faults").
    const background = new Map<string, IFunction>();
    for (const task of backgroundFunctions) {
      const { fn } = new ServiceFunction(this, task.name, {
        name: task.name,
        entry: task.entry,
        needs: task.needs,
        tableAccess: 'readWrite',
        overrides: { timeout: task.timeoutSeconds ? Duration.seconds(task.timeoutSeconds) : WORKFLOW_TASK_TIMEOUT },
      }, deps, this.workflow.stateMachine);
      background.set(task.name, fn);
      this.functions.set(task.name, fn);
    }
    this.outbox = new Outbox(this, 'Outbox', {
      table: this.data.table,
      consumer: background.get('OutboxConsumer')!,
      reconciler: background.get('Reconciler')!,
      key: this.data.key,
      removalPolicy,
    });

    this.webhooks.scheduleDispatcher(background.get('WebhookDispatcher')!);

    this.operations = new Operations(this, 'Operations', {
      opsEmail: ctx.opsEmail,
      alarmNamePrefix: deps.opsAlarmPrefix,
      httpApi: this.api.api,
      apiFunctions: functionsForRoutes,
      taskFunctions,
      stateMachine: this.workflow.stateMachine,
      tables: [this.data.table, this.data.idempotencyTable],
      removalPolicy,
    });
    // The change-stream consumer and the reconciler throw only on faults: Errors + Throttles alarm.
    for (const [name, fn] of background) this.operations.watchFunction(name, fn, { errorsAreFaults: true });
    this.operations.watchStreamConsumer('OutboxConsumer', background.get('OutboxConsumer')!);
    this.operations.watchDeadLetterQueue('OutboxConsumer', this.outbox.deadLetterQueue);

    this.dashboard.deploy(
      {
        apiUrl: this.api.url,
        cognito: {
          region: this.region,
          // The dashboard is for admins: it signs in to the admin pool (TOTP required).
          userPoolId: this.auth.adminPool.userPoolId,
          clientId: this.auth.adminClient.userPoolClientId,
          endpoint: this.auth.endpoint,
        },
      },
      props.dashboardDist ?? path.join(projectRoot, 'dashboard', 'dist'),
    );

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTPS API base URL' });
    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url, description: 'Admin dashboard (CloudFront)' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'AdminUserPoolId', { value: this.auth.adminPool.userPoolId, description: 'Admins (TOTP MFA required): create them here' });
    new CfnOutput(this, 'AdminUserPoolClientId', { value: this.auth.adminClient.userPoolClientId });
    new CfnOutput(this, 'CognitoEndpoint', { value: this.auth.endpoint, description: 'InitiateAuth endpoint' });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlertTopicArn', { value: this.integrations.alertTopic.topicArn });
    new CfnOutput(this, 'OpsAlarmTopicArn', { value: this.operations.topic.topicArn, description: 'Ops alarms (email: context opsEmail)' });
    new CfnOutput(this, 'EventBusName', { value: this.webhooks.bus.eventBusName, description: 'Integrator events (order.*, inventory.*): add EventBridge rules here' });
    new CfnOutput(this, 'LabelsBucketName', { value: this.data.labelsBucket.bucketName });
    new CfnOutput(this, 'StripeApiKeySecretArn', { value: this.integrations.stripeApiKey.secretArn, description: 'Put the Stripe secret key here' });
    new CfnOutput(this, 'StripeWebhookSecretArn', { value: this.integrations.stripeWebhookSecret.secretArn, description: 'Put the Stripe webhook signing secret here' });
    new CfnOutput(this, 'CarrierWebhookSecretArn', { value: this.integrations.carrierWebhookSecret.secretArn, description: 'Put the carrier HMAC key here' });

    acknowledgeNagFindings(this);
  }
}
