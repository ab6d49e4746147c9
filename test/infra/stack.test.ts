/**
 * CDK assertions on what matters in the deployed shape: routes and their authorizers, runtime settings,
 * encryption, the workflow wiring and least-privilege IAM. Bundling is skipped here (see support.ts);
 * bundle.test.ts proves the esbuild settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { tables } from '../../lib/tables';
import { backgroundFunctions, routes, workflowTasks, type Route } from '../../lib/routes';
import { OrderServiceStack, PROJECT_ROOT, tableAccessFor } from '../../lib/order-service-stack';
import { aslPlaceholders } from '../../lib/constructs/workflow';
import { contentSecurityPolicy, FRAME_OPTIONS, HSTS, REFERRER_POLICY } from '../../dashboard/security-headers';
import {
  actionsOf,
  allActionsOf,
  cdkJsonContext,
  definitionFileForTests,
  fromParent,
  functionLogicalId,
  logicalIdWithPrefix,
  logicalIdsOfType,
  PLACEHOLDER_ASL,
  resourcesOf,
  statementsOf,
  synth,
  tempOutdir,
  touches,
  type Resources,
  type Synth,
} from './support';

type Need = NonNullable<Route['needs']>[number];
const everyFunction: { name: string; needs: readonly Need[]; kind: 'route' | 'task' | 'background'; route?: Route }[] = [
  ...routes.map((r) => ({ name: r.name, needs: r.needs ?? [], kind: 'route' as const, route: r })),
  ...workflowTasks.map((t) => ({ name: t.name, needs: t.needs ?? [], kind: 'task' as const })),
  ...backgroundFunctions.map((t) => ({ name: t.name, needs: t.needs ?? [], kind: 'background' as const })),
];
const withNeed = (need: Need) => everyFunction.filter((f) => f.needs.includes(need)).map((f) => f.name).sort();
const functionsWhere = (template: Template, predicate: (name: string) => boolean) =>
  everyFunction.map((f) => f.name).filter(predicate).sort();

let s: Synth;
let template: Template;
/** The nested stack of routes, integrations and invoke permissions. */
let routesTemplate: Template;
let resources: Resources;

beforeAll(() => {
  s = synth();
  template = s.template;
  routesTemplate = s.routesTemplate;
  resources = template.toJSON().Resources;
});

describe('synthesis', () => {
  it('raises no CDK errors or warnings (cdk-nag findings are policy-validation results: nag.test.ts)', () => {
    const annotations = Annotations.fromStack(s.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    // Includes the workflow's own check that every task Lambda is referenced by the ASL file.
    expect(annotations.findWarning('*', Match.anyValue()).map((w) => w.entry.data)).toEqual([]);
  });
});

describe('HTTP API', () => {
  it('has exactly one route per route-table entry: the admin pool\'s JWT authorizer on admin routes, the customer pool\'s on customer routes, none on public ones', () => {
    const customerAuthorizer = logicalIdWithPrefix(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiHttpApiCognitoAuthorizer');
    const adminAuthorizer = logicalIdWithPrefix(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiHttpApiCognitoAdminAuthorizer');
    routesTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    for (const route of routes) {
      const found = routesTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${route.method} ${route.path}` } });
      expect(Object.keys(found)).toHaveLength(1);
      const props = { ...Object.values(found)[0].Properties, AuthorizerId: fromParent(template, Object.values(found)[0].Properties.AuthorizerId) };
      if (route.auth === 'public') {
        expect({ route: route.name, type: props.AuthorizationType, authorizer: props.AuthorizerId }).toEqual({ route: route.name, type: 'NONE', authorizer: undefined });
      } else {
        const authorizerId = route.auth === 'admin' ? adminAuthorizer : customerAuthorizer;
        expect({ route: route.name, type: props.AuthorizationType, authorizer: props.AuthorizerId }).toEqual({ route: route.name, type: 'JWT', authorizer: { Ref: authorizerId } });
      }
    }
  });

  it('throttles each public catalogue/tracking route on its own, lower limit; checkout and webhooks keep the full stage limit', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const { DefaultRouteSettings } = stage.Properties;
    const publicRoutes = routes.filter((r) => r.auth === 'public' && !r.path.startsWith('/webhooks/'));
    const critical = routes.filter((r) => r.path.startsWith('/webhooks/') || (r.method === 'POST' && r.path === '/orders'));
    expect(publicRoutes.map((r) => r.path)).toEqual(expect.arrayContaining(['/products', '/products/{sku}', '/tracking/{trackingNumber}']));
    expect(critical).toHaveLength(3);
    for (const r of publicRoutes) {
      expect({ route: r.path, ...settings[`${r.method} ${r.path}`] }).toEqual({ route: r.path, ThrottlingRateLimit: cdkJsonContext.publicRateLimit ?? 20, ThrottlingBurstLimit: cdkJsonContext.publicBurstLimit ?? 40 });
      expect(settings[`${r.method} ${r.path}`].ThrottlingRateLimit).toBeLessThan(DefaultRouteSettings.ThrottlingRateLimit);
      expect(settings[`${r.method} ${r.path}`].ThrottlingBurstLimit).toBeLessThan(DefaultRouteSettings.ThrottlingBurstLimit);
    }
    for (const r of critical) {
      expect({ route: r.path, ...settings[`${r.method} ${r.path}`] }).toEqual({ route: r.path, ThrottlingRateLimit: DefaultRouteSettings.ThrottlingRateLimit, ThrottlingBurstLimit: DefaultRouteSettings.ThrottlingBurstLimit });
    }
    // Every key names a real route, and the stage waits for those routes (RouteSettings must name existing route keys).
    const routeKeys = Object.values(routesTemplate.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(Object.keys(settings).every((k) => routeKeys.includes(k))).toBe(true);
    // The routes live in a nested stack: the stage waits for that stack.
    const stageId = Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const dependsOn: string[] = (resources[stageId] as { DependsOn?: string[] }).DependsOn ?? [];
    expect(dependsOn).toContain(Object.keys(template.findResources('AWS::CloudFormation::Stack')).find((id) => id.startsWith('ApiRoutes')));
  });

  it('CORS never allows credentials (bearer tokens only)', () => {
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0];
    expect(api.Properties.CorsConfiguration.AllowCredentials).toBe(false);
  });

  it('sends each route to its own Lambda (payload v2)', () => {
    for (const route of routes) {
      const routeProps = Object.values(routesTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${route.method} ${route.path}` } }))[0].Properties;
      const integrationId = routeProps.Target['Fn::Join'][1][1].Ref;
      const integration = routesTemplate.toJSON().Resources[integrationId].Properties;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(fromParent(template, integration.IntegrationUri)).toEqual({ 'Fn::GetAtt': [functionLogicalId(template, route.name), 'Arn'] });
    }
  });

  it('validates Cognito JWTs: issuer is the user pool, audience the app client, token from Authorization (customer and admin pool alike)', () => {
    for (const [pool, client] of [['AuthUserPool', 'AuthUserPoolAppClient'], ['AuthAdminPool', 'AuthAdminPoolAdminAppClient']]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Audience: [{ Ref: logicalIdWithPrefix(template, 'AWS::Cognito::UserPoolClient', client) }],
          Issuer: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('cognito-idp'), { Ref: logicalIdWithPrefix(template, 'AWS::Cognito::UserPool', pool) }])]) }),
        },
      });
    }
  });

  it('logs access as JSON with the request id, throttles, and allows CORS only from the dashboard', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const distribution = logicalIdWithPrefix(template, 'AWS::CloudFront::Distribution', 'DashboardDistribution');
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] }],
        AllowHeaders: Match.arrayWith(['authorization', 'idempotency-key']),
      }),
    });
  });
});

describe('Lambda functions', () => {
  it('are all built from the one settings object: nodejs22.x, arm64, 512 MB, active tracing, source maps', () => {
    // Every Lambda in the template except CDK's BucketDeployment provider (a python singleton).
    const fns = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
    expect(fns.map(([id]) => id).sort()).toEqual(everyFunction.map((f) => functionLogicalId(template, f.name)).sort());
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'order-service' }) },
      });
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
    }
  });

  it('API handlers time out before API Gateway (30 s); workflow steps get longer', () => {
    for (const route of routes) expect(resources[functionLogicalId(template, route.name)].Properties.Timeout).toBeLessThan(30);
    for (const task of workflowTasks) expect(resources[functionLogicalId(template, task.name)].Properties.Timeout).toBe(60);
  });

  it('get exactly the environment their needs call for', () => {
    const env = (name: string): Record<string, unknown> => resources[functionLogicalId(template, name)].Properties.Environment.Variables;
    const expectations: [string, Need | 'table'][] = [
      ['IDEMPOTENCY_TABLE_NAME', 'idempotency'],
      ['STATE_MACHINE_ARN', 'workflow'],
      ['ALERT_TOPIC_ARN', 'alerts'],
      ['LABELS_BUCKET', 'labels'],
      ['LABELS_KMS_KEY_ID', 'labels'],
      ['STRIPE_SECRET_ARN', 'payments'],
      ['STRIPE_WEBHOOK_SECRET_ARN', 'stripeWebhookSecret'],
      ['CARRIER_WEBHOOK_SECRET_ARN', 'carrierSecret'],
      ['SENDER_EMAIL', 'email'],
      ['CURSOR_SECRET_ARN', 'cursors'],
    ];
    for (const [variable, need] of expectations) {
      const have = functionsWhere(template, (name) => variable in env(name));
      expect({ variable, have }).toEqual({ variable, have: withNeed(need as Need) });
    }
    // Every function reads the main table (Health too: it answers 503 when the table cannot be read), except
    // the ops alarms route, which reads CloudWatch only.
    expect(functionsWhere(template, (name) => !('TABLE_NAME' in env(name)))).toEqual(['AdminListOpsAlarms']);
    for (const f of everyFunction) {
      expect(env(f.name)).toMatchObject({ ORDER_HOLD_SECONDS: String(cdkJsonContext.orderHoldSeconds), TRACKING_COUNTRY: 'US' });
    }
    // The workflow is started by the outbox consumer (and the reconciler), never by the request path.
    const machine = { Ref: logicalIdWithPrefix(template, 'AWS::StepFunctions::StateMachine', 'WorkflowOrderFulfillment') };
    expect(env('OutboxConsumer').STATE_MACHINE_ARN).toEqual(machine);
    expect(env('Reconciler').STATE_MACHINE_ARN).toEqual(machine);
    expect(env('PlaceOrder').STATE_MACHINE_ARN).toBeUndefined();
    expect(env('OutboxConsumer').SENDER_EMAIL).toBe(cdkJsonContext.senderEmail);
  });
});

describe('data at rest', () => {
  it('tables match lib/tables.ts: on-demand, point-in-time recovery, the customer-managed key, TTL, retained', () => {
    const keyId = logicalIdWithPrefix(template, 'AWS::KMS::Key', 'DataDataKey');
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::DynamoDB::Table', tables.length);
    for (const def of tables) {
      const id = logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', `Data${def.id}`);
      const table = resources[id];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      expect((table.Properties.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string }) => g.IndexName)).toEqual(def.globalSecondaryIndexes.map((g) => g.indexName));
    }
  });

  it('labels bucket: private, SSE-KMS with the customer-managed key, TLS only, versioned, access-logged', () => {
    const keyId = logicalIdWithPrefix(template, 'AWS::KMS::Key', 'DataDataKey');
    const labels = logicalIdWithPrefix(template, 'AWS::S3::Bucket', 'DataLabels');
    expect(resources[labels].Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdWithPrefix(template, 'AWS::S3::Bucket', 'DataAccessLogs') } },
    });
    expectDeniesInsecureTransport(labels);
  });

  it('secrets are encrypted with the customer-managed key', () => {
    const keyId = logicalIdWithPrefix(template, 'AWS::KMS::Key', 'DataDataKey');
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(4); // Stripe key, Stripe webhook, carrier webhook, cursor HMAC key
    for (const secret of Object.values(secrets)) expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

function expectDeniesInsecureTransport(bucketId: string) {
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
}

describe('workflow', () => {
  it('is a STANDARD state machine from the ASL file with every ${<Task>FunctionArn} resolved to that task Lambda', () => {
    const id = logicalIdWithPrefix(template, 'AWS::StepFunctions::StateMachine', 'WorkflowOrderFulfillment');
    const props = resources[id].Properties;
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(props.DefinitionS3Location).toBeDefined();

    const expected = Object.fromEntries(workflowTasks.map((t) => [`${t.name}FunctionArn`, { 'Fn::GetAtt': [functionLogicalId(template, t.name), 'Arn'] }]));
    expect(props.DefinitionSubstitutions).toEqual(expected);

    // What CloudFormation does with DefinitionSubstitutions, applied to the file CDK uploaded: nothing
    // may be left unresolved, and every Task must call one of the task Lambdas.
    const asl = fs.readFileSync(definitionFileForTests(), 'utf8');
    const fakeArn = (key: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${key}`;
    const resolved = asl.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in props.DefinitionSubstitutions ? fakeArn(key) : whole));
    expect(resolved).not.toContain('${');
    const taskArns = new Set(Object.keys(expected).map(fakeArn));
    const taskResources: string[] = [];
    const walk = (states: Record<string, any>) => {
      for (const state of Object.values(states)) {
        if (state.Type === 'Task') taskResources.push(state.Resource === 'arn:aws:states:::lambda:invoke' ? state.Parameters?.FunctionName ?? state.Arguments?.FunctionName : state.Resource);
        if (state.Branches) for (const b of state.Branches) walk(b.States);
        if (state.Iterator) walk(state.Iterator.States);
        if (state.ItemProcessor) walk(state.ItemProcessor.States);
      }
    };
    walk(JSON.parse(resolved).States);
    expect(taskResources.length).toBeGreaterThan(0);
    for (const arn of taskResources) expect(taskArns).toContain(arn);
  });

  it('may invoke exactly the task Lambdas (unqualified ARNs) and nothing else', () => {
    const id = logicalIdWithPrefix(template, 'AWS::StepFunctions::StateMachine', 'WorkflowOrderFulfillment');
    const roleId = resources[id].Properties.RoleArn['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const invoke = statements.filter((st: any) => actionsOf(st).includes('lambda:InvokeFunction'));
    const byId = (a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(invoke.flatMap(resourcesOf).sort(byId)).toEqual(workflowTasks.map((t) => ({ 'Fn::GetAtt': [functionLogicalId(template, t.name), 'Arn'] })).sort(byId));
  });

  it('fails synth with a clear message when the ASL file is missing or names an unknown placeholder', () => {
    const app = () => new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    expect(() => new OrderServiceStack(app(), 'Missing', { definitionFile: '/nonexistent/order-fulfillment.asl.json' })).toThrow(
      /State machine definition not found: \/nonexistent\/order-fulfillment\.asl\.json/,
    );
    const dir = tempOutdir('order-service-asl-');
    const bogus = path.join(dir, 'bogus.asl.json');
    const placeholder = JSON.parse(fs.readFileSync(PLACEHOLDER_ASL, 'utf8'));
    placeholder.States.FlagNeedsAttention.Resource = '${ChargeTwiceFunctionArn}';
    fs.writeFileSync(bogus, JSON.stringify(placeholder));
    expect(aslPlaceholders(fs.readFileSync(bogus, 'utf8'))).toContain('ChargeTwiceFunctionArn');
    expect(() => new OrderServiceStack(app(), 'Bogus', { definitionFile: bogus })).toThrow(/uses \$\{ChargeTwiceFunctionArn\}/);

    // A task Lambda the ASL never calls is deployed dead weight: synth warns.
    const partial = JSON.parse(fs.readFileSync(PLACEHOLDER_ASL, 'utf8'));
    delete partial.States.FlagNeedsAttention;
    partial.States.FailOrder = { ...partial.States.FailOrder, Next: undefined, End: true };
    const partialFile = path.join(dir, 'partial.asl.json');
    fs.writeFileSync(partialFile, JSON.stringify(partial));
    const stack = new OrderServiceStack(app(), 'Partial', { definitionFile: partialFile });
    const warnings = stack.workflow.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining('FlagNeedsAttentionFunctionArn is not referenced')]);
  });
});

describe('alerts, auth and dashboard', () => {
  it('low-stock topic is KMS-encrypted, TLS-only, with the ops email subscribed', () => {
    const keyId = logicalIdWithPrefix(template, 'AWS::KMS::Key', 'DataDataKey');
    const topicId = logicalIdWithPrefix(template, 'AWS::SNS::Topic', 'IntegrationsLowStockAlerts');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: cdkJsonContext.alertEmail, TopicArn: { Ref: topicId } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('user pool: email sign-in, strong passwords, threat protection, deletion protection, an admin group and a public client', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    // Admins live in their own pool, which requires TOTP MFA (the customer pool cannot: MFA is per pool).
    const adminPool = logicalIdWithPrefix(template, 'AWS::Cognito::UserPool', 'AuthAdminPool');
    const customerPool = logicalIdWithPrefix(template, 'AWS::Cognito::UserPool', 'AuthUserPool');
    expect(resources[adminPool].Properties).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(resources[customerPool].Properties).toMatchObject({ MfaConfiguration: 'OPTIONAL' });
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => ({ name: g.Properties.GroupName, pool: g.Properties.UserPoolId }));
    expect(groups).toEqual([{ name: 'admin', pool: { Ref: adminPool } }]);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    });
  });

  it('dashboard bucket is private and reachable only through CloudFront origin access control', () => {
    const site = logicalIdWithPrefix(template, 'AWS::S3::Bucket', 'DashboardSite');
    const distribution = logicalIdWithPrefix(template, 'AWS::CloudFront::Distribution', 'DashboardDistribution');
    expect(resources[site].Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    expectDeniesInsecureTransport(site);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const origin = resources[distribution].Properties.DistributionConfig.Origins[0];
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [site, 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toBeDefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: site },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    expect(resources[distribution].Properties.DistributionConfig).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: { Ref: logicalIdWithPrefix(template, 'AWS::CloudFront::ResponseHeadersPolicy', 'DashboardSecurityHeaders') } },
      CustomErrorResponses: [
        { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
      ],
    });
  });

  it('response headers: CSP limited to self, the regional API and Cognito; HSTS; DENY framing; nosniff; referrer policy', () => {
    const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = (policy.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : '<region>')).join('');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://*.execute-api.<region>.amazonaws.com https://cognito-idp.<region>.amazonaws.com;");
    // The one source of truth, which the local gateway serves too.
    expect(csp).toBe(contentSecurityPolicy(['https://*.execute-api.<region>.amazonaws.com', 'https://cognito-idp.<region>.amazonaws.com'], { upgradeInsecureRequests: true }));
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(policy).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: HSTS.maxAgeSeconds, IncludeSubdomains: HSTS.includeSubdomains, Preload: HSTS.preload, Override: true },
      FrameOptions: { FrameOption: FRAME_OPTIONS, Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: REFERRER_POLICY },
    });
  });

  it('deploys config.json (API URL, Cognito ids) and index.html revalidated on every load; hashed assets immutable', () => {
    const deployments = Object.entries(template.findResources('Custom::CDKBucketDeployment')).map(([id, r]) => ({ id, ...r.Properties }));
    const entry = deployments.find((d) => d.id.startsWith('DashboardDeployEntry'))!;
    const markers = JSON.stringify(entry.SourceMarkers);
    expect(markers).toContain(`"${logicalIdWithPrefix(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')}"`);
    // The dashboard signs in to the admin pool.
    expect(markers).toContain(`"${logicalIdWithPrefix(template, 'AWS::Cognito::UserPool', 'AuthAdminPool')}"`);
    expect(markers).toContain(`"${logicalIdWithPrefix(template, 'AWS::Cognito::UserPoolClient', 'AuthAdminPoolAdminAppClient')}"`);
    expect(markers).not.toContain(`"${logicalIdWithPrefix(template, 'AWS::Cognito::UserPoolClient', 'AuthUserPoolAppClient')}"`);
    expect(entry).toMatchObject({ DistributionPaths: ['/*'], SystemMetadata: { 'cache-control': 'no-cache' }, Prune: false });

    const built = fs.existsSync(path.join(PROJECT_ROOT, 'dashboard', 'dist', 'index.html'));
    const assets = deployments.find((d) => d.id.startsWith('DashboardDeployAssets'));
    expect(Boolean(assets)).toBe(built);
    if (assets) {
      expect(assets).toMatchObject({ SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' }, Prune: false });
      // index.html goes up only after the assets it names.
      expect(template.toJSON().Resources[entry.id].DependsOn).toContain(assets.id);
    }
  });

  it('outputs what deployers and the dashboard need', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const name of ['ApiUrl', 'DashboardUrl', 'UserPoolId', 'UserPoolClientId', 'AdminUserPoolId', 'AdminUserPoolClientId', 'StateMachineArn', 'AlertTopicArn']) expect(outputs).toContain(name);
  });
});

describe('least privilege', () => {
  const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
  const ids = () => ({
    table: logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', 'DataOrderTable'),
    idempotency: logicalIdWithPrefix(template, 'AWS::DynamoDB::Table', 'DataIdempotencyTable'),
    labels: logicalIdWithPrefix(template, 'AWS::S3::Bucket', 'DataLabels'),
    stripe: logicalIdWithPrefix(template, 'AWS::SecretsManager::Secret', 'IntegrationsStripeApiKey'),
    stripeWebhook: logicalIdWithPrefix(template, 'AWS::SecretsManager::Secret', 'IntegrationsStripeWebhookSecret'),
    carrier: logicalIdWithPrefix(template, 'AWS::SecretsManager::Secret', 'IntegrationsCarrierWebhookSecret'),
    cursor: logicalIdWithPrefix(template, 'AWS::SecretsManager::Secret', 'IntegrationsCursorKey'),
    topic: logicalIdWithPrefix(template, 'AWS::SNS::Topic', 'IntegrationsLowStockAlerts'),
    key: logicalIdWithPrefix(template, 'AWS::KMS::Key', 'DataDataKey'),
  });

  it('GET routes read the main table but cannot write it; other routes and all workflow steps can', () => {
    const { table } = ids();
    for (const f of everyFunction) {
      const tableActions = statementsOf(template, f.name)
        .filter((st) => JSON.stringify(st.Resource).includes(`"${table}"`))
        .flatMap(actionsOf);
      const access = f.route ? tableAccessFor(f.route) : 'readWrite';
      if (access === 'none') expect({ fn: f.name, tableActions }).toEqual({ fn: f.name, tableActions: [] });
      else expect({ fn: f.name, read: tableActions.includes('dynamodb:Query') && tableActions.includes('dynamodb:GetItem') }).toEqual({ fn: f.name, read: true });
      const writes = tableActions.filter((a) => WRITE.includes(a));
      expect({ fn: f.name, writes: writes.length > 0 }).toEqual({ fn: f.name, writes: access === 'readWrite' });
    }
    // The brief's example, spelled out.
    const getProduct = allActionsOf(template, 'GetProduct');
    expect(getProduct.has('dynamodb:GetItem')).toBe(true);
    expect(getProduct.has('dynamodb:PutItem') || getProduct.has('dynamodb:UpdateItem')).toBe(false);
  });

  it('each extra permission goes exactly to the functions that declare the need', () => {
    const id = ids();
    const grantedTo = (predicate: (name: string) => boolean) => functionsWhere(template, predicate);
    expect(grantedTo((n) => allActionsOf(template, n).has('states:StartExecution'))).toEqual(withNeed('workflow'));
    expect(withNeed('workflow')).toEqual(['OutboxConsumer', 'Reconciler']);
    expect(grantedTo((n) => allActionsOf(template, n).has('states:DescribeExecution'))).toEqual(withNeed('workflowStatus'));
    expect(grantedTo((n) => touches(template, n, id.idempotency))).toEqual(withNeed('idempotency'));
    expect(grantedTo((n) => allActionsOf(template, n).has('sns:Publish'))).toEqual(withNeed('alerts'));
    expect(grantedTo((n) => touches(template, n, id.labels))).toEqual(withNeed('labels'));
    expect(grantedTo((n) => touches(template, n, id.stripe))).toEqual(withNeed('payments'));
    expect(grantedTo((n) => touches(template, n, id.stripeWebhook))).toEqual(withNeed('stripeWebhookSecret'));
    expect(grantedTo((n) => touches(template, n, id.carrier))).toEqual(withNeed('carrierSecret'));
    expect(grantedTo((n) => allActionsOf(template, n).has('ses:SendEmail'))).toEqual(withNeed('email'));
    expect(grantedTo((n) => touches(template, n, id.cursor))).toEqual(withNeed('cursors'));
    expect(withNeed('payments').length).toBeGreaterThan(0);
  });

  it('label access: the admin route only reads, the label step reads and writes, nobody lists or deletes', () => {
    const { labels } = ids();
    const labelActions = (name: string) => statementsOf(template, name).filter((st) => JSON.stringify(st.Resource).includes(`"${labels}"`)).flatMap(actionsOf).sort();
    expect(labelActions('AdminGetLabel')).toEqual(['s3:GetObject']);
    expect(labelActions('CreateLabel')).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  it('SES sending is scoped to the sender identity', () => {
    const send = statementsOf(template, 'OutboxConsumer').filter((st) => actionsOf(st).includes('ses:SendEmail'));
    const identity = logicalIdWithPrefix(template, 'AWS::SES::EmailIdentity', 'IntegrationsSenderIdentity');
    expect(send).toHaveLength(1);
    expect(JSON.stringify(send[0].Resource)).toContain(`"${identity}"`);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: cdkJsonContext.senderEmail });
  });

  it('wildcards are only where cdk-nag acknowledgements say: Resource "*" for X-Ray only, kms:*-suffixed actions on the data key only', () => {
    const { key } = ids();
    for (const f of everyFunction) {
      for (const st of statementsOf(template, f.name)) {
        if (resourcesOf(st).includes('*')) {
          // dynamodb:ListStreams has no resource-level permissions (the stream mapping's consumer needs it).
          const allowed = (a: string) => a.startsWith('xray:') || (f.name === 'OutboxConsumer' && a === 'dynamodb:ListStreams');
          expect({ fn: f.name, actions: actionsOf(st).filter((a) => !allowed(a)) }).toEqual({ fn: f.name, actions: [] });
        }
        if (actionsOf(st).some((a) => a.startsWith('kms:') && a.endsWith('*'))) {
          expect({ fn: f.name, resources: st.Resource }).toEqual({ fn: f.name, resources: { 'Fn::GetAtt': [key, 'Arn'] } });
        }
        for (const a of actionsOf(st)) expect(a).not.toMatch(/^[a-z0-9-]+:\*$/);
      }
    }
  });
});

describe('context flags', () => {
  it('retainData=false makes data removable and turns deletion protection off', () => {
    const { template: t } = synth({ retainData: 'false', orderHoldSeconds: '0', alertEmail: '', opsEmail: '' });
    const res = t.toJSON().Resources as Resources;
    for (const id of logicalIdsOfType(t, 'AWS::DynamoDB::Table')) {
      expect(res[id].DeletionPolicy).toBe('Delete');
      expect(res[id].Properties.DeletionProtectionEnabled).toBe(false);
    }
    t.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(res[functionLogicalId(t, 'PlaceOrder')].Properties.Environment.Variables.ORDER_HOLD_SECONDS).toBe('0');
  });

  it('rejects bad values with one clear sentence', () => {
    const build = (context: Record<string, unknown>) => () =>
      new OrderServiceStack(new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [], ...context } }), 'Bad', { definitionFile: definitionFileForTests() });
    expect(build({ orderHoldSeconds: '-1' })).toThrow('Context "orderHoldSeconds" must be an integer >= 0, got "-1".');
    expect(build({ orderHoldSeconds: '1.5' })).toThrow(/orderHoldSeconds/);
    expect(build({ alertEmail: 'not-an-email' })).toThrow('Context "alertEmail" must be an email address');
    expect(build({ retainData: 'yes' })).toThrow('Context "retainData" must be true or false');
    expect(build({ logRetentionDays: '8' })).toThrow(/logRetentionDays/);
    expect(build({ extraCorsOrigins: 'localhost:5173' })).toThrow(/extraCorsOrigins/);
  });
});
