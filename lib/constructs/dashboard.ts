import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, FRAME_OPTIONS, HSTS, REFERRER_POLICY } from '../../dashboard/security-headers';

export interface DashboardProps {
  readonly accessLogsBucket: IBucket;
  readonly removalPolicy: RemovalPolicy;
}

export interface DashboardConfig {
  readonly apiUrl: string;
  readonly cognito: { region: string; userPoolId: string; clientId: string; endpoint: string };
}

/**
 * The admin dashboard: a private bucket served only through CloudFront (origin access control) with strict
 * security headers, plus a generated config.json so the same build runs against any deployment.
 */
export class Dashboard extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'dashboard-bucket/',
      removalPolicy: props.removalPolicy,
    });

    // connect-src: the API and Cognito. The API is named by its regional execute-api domain rather than its
    // exact id: the API's CORS allow-list names this distribution, so naming the API here would make the
    // two resources depend on each other (CloudFormation rejects the cycle).
    // Every value comes from dashboard/security-headers.ts, which the local gateway serves too.
    const csp = contentSecurityPolicy(
      [`https://*.execute-api.${region}.amazonaws.com`, `https://cognito-idp.${region}.amazonaws.com`],
      { upgradeInsecureRequests: true },
    );

    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Order Service dashboard security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS.maxAgeSeconds),
          includeSubdomains: HSTS.includeSubdomains,
          preload: HSTS.preload,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption[FRAME_OPTIONS], override: true },
        // CloudFront's content-type option has no value: it always sends `nosniff` (CONTENT_TYPE_OPTIONS).
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: REFERRER_POLICY as HeadersReferrerPolicy, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Order Service admin dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.headers,
      },
      // Client-side routes (/orders/123) are not objects: hand them to the SPA. With OAC a missing object is 403.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Uploads the built app (`npm run build:dashboard`, if built) and config.json, then invalidates the CDN.
   * Two steps so browsers cache the right things: content-hashed assets are immutable and never pruned (a
   * page loaded before a deploy can still fetch the assets it names), while index.html and config.json are
   * revalidated on every load and uploaded only after the assets they point to.
   */
  deploy(config: DashboardConfig, distDir: string): BucketDeployment {
    const built = fs.existsSync(path.join(distDir, 'index.html'));
    let assets: BucketDeployment | undefined;
    if (built) {
      assets = new BucketDeployment(this, 'DeployAssets', {
        sources: [Source.asset(distDir, { exclude: ['index.html', 'config.json'] })],
        destinationBucket: this.bucket,
        prune: false,
        cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
        memoryLimit: 256,
      });
    }
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [
        ...(built ? [Source.data('index.html', fs.readFileSync(path.join(distDir, 'index.html'), 'utf8'))] : []),
        Source.jsonData('config.json', config),
      ],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    if (assets) entry.node.addDependency(assets);
    return entry;
  }
}
