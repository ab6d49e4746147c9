import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  CfnStage,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '../routes';

export interface OrderApiProps {
  readonly routes: readonly Route[];
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** Admin routes accept only tokens of this pool (TOTP MFA required). */
  readonly adminUserPool: IUserPool;
  readonly adminUserPoolClient: IUserPoolClient;
  readonly corsOrigins: string[];
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Each public catalogue/tracking route on its own, lower limit. */
  readonly publicRateLimit: number;
  readonly publicBurstLimit: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * How a route is throttled. `public`: the catalogue, tracking and health, which anyone can flood; each gets
 * its own lower limit. `critical`: checkout and the provider webhooks, pinned to the full stage limit on
 * their own route. `default`: everything else, at the stage's default route limit.
 */
export type ThrottleClass = 'public' | 'critical' | 'default';
export function throttleClassOf(route: Route): ThrottleClass {
  if (route.path.startsWith('/webhooks/') || (route.method === 'POST' && route.path === '/orders')) return 'critical';
  if (route.auth === 'public') return 'public';
  return 'default';
}

/**
 * The HTTP API, built by iterating the route table: one route per entry, the Cognito JWT authorizer on every
 * customer and admin route, none on public ones (webhooks verify their own signatures). Group membership
 * (admin) is checked again by the handler from the token's claims.
 */
export class OrderApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** https://{id}.execute-api.{region}.amazonaws.com (no trailing slash) */
  readonly url: string;
  readonly routes = new Map<string, HttpRoute>();
  private readonly props: OrderApiProps;

  constructor(scope: Construct, id: string, props: OrderApiProps) {
    super(scope, id);
    this.props = props;

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Order Service API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        // Bearer tokens, never cookies: browsers must not send credentials cross-origin.
        allowCredentials: false,
        exposeHeaders: ['location'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Ids, route, status and timings only: no headers, no bodies, no token claims beyond the subject.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
    this.url = this.api.apiEndpoint;

    // Route-level throttling (the stage's RouteSettings): every public route has its own bucket, capped
    // below the stage default, so a flood of GET /products or /tracking is refused at the edge before it
    // reaches Lambda, and cannot use up the account's request and concurrency quotas that checkout and the
    // webhooks draw on. Those are pinned to the full stage limit explicitly.
    // RouteSettings is a free-form JSON map in CloudFormation: CDK passes it through untouched, so the keys
    // inside each entry must be CloudFormation's own (PascalCase) names.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of props.routes) {
      const kind = throttleClassOf(route);
      if (kind === 'default') continue;
      routeSettings[`${route.method} ${route.path}`] =
        kind === 'public'
          ? { ThrottlingRateLimit: props.publicRateLimit, ThrottlingBurstLimit: props.publicBurstLimit }
          : { ThrottlingRateLimit: props.rateLimit, ThrottlingBurstLimit: props.burstLimit };
    }
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
  }

  /**
   * Adds one route per route-table entry (route name → the Lambda that serves it). Called once the route
   * Lambdas exist: they are created after the API so their environment can name its URL.
   */
  /**
   * The routes, their integrations and invoke permissions (three resources a route) go in `scope`: the
   * stack passes a nested stack, so the main template stays under CloudFormation's 500 resources.
   */
  addRoutes(functions: ReadonlyMap<string, IFunction>, scope: Construct = this): void {
    const props = this.props;
    const jwt = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [props.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });
    const adminJwt = new HttpUserPoolAuthorizer('CognitoAdminAuthorizer', props.adminUserPool, {
      userPoolClients: [props.adminUserPoolClient],
      identitySource: ['$request.header.Authorization'],
    });
    const none = new HttpNoneAuthorizer();

    for (const route of props.routes) {
      const fn = functions.get(route.name);
      if (!fn) throw new Error(`No Lambda for route ${route.name} (${route.method} ${route.path}).`);
      const authorizer: IHttpRouteAuthorizer = route.auth === 'public' ? none : route.auth === 'admin' ? adminJwt : jwt;
      const httpRoute = new HttpRoute(scope, route.name, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn),
        authorizer,
      });
      this.routes.set(route.name, httpRoute);
      // The stage's RouteSettings name route keys, which must exist when the stage is created or updated.
      if (throttleClassOf(route) !== 'default') this.stage.node.addDependency(httpRoute);
    }
  }
}
