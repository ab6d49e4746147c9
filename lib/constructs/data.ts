import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { KeyDef, TableDef } from '../tables';
import { idempotencyTable, mainTable } from '../tables';

export interface DataProps {
  readonly retainData: boolean;
}

const attribute = (key: KeyDef): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * Everything that holds customer data: the customer-managed KMS key, the DynamoDB tables built from the
 * shared definitions in lib/tables.ts (so DynamoDB Local runs the same key schema), the private labels
 * bucket and the access-log bucket.
 */
export class Data extends Construct {
  readonly key: Key;
  readonly table: Table;
  readonly idempotencyTable: Table;
  readonly labelsBucket: Bucket;
  /** Server access logs of the other buckets and CloudFront standard logs. */
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'DataKey', {
      description: 'Order Service data: DynamoDB tables, labels bucket, secrets, alert topic',
      enableKeyRotation: true,
      removalPolicy,
    });

    // Table, not TableV2: TableV2 (a global table) cannot render a customer-managed key in a
    // region-agnostic stack, and this stack stays region-agnostic so synth needs no AWS account.
    const table = (def: TableDef) => {
      const t = new Table(this, def.id, {
        partitionKey: attribute(def.partitionKey),
        sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
        timeToLiveAttribute: def.timeToLiveAttribute,
        ...(def.stream ? { stream: StreamViewType[def.stream] } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        deletionProtection: props.retainData,
        removalPolicy,
      });
      for (const gsi of def.globalSecondaryIndexes) {
        t.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: attribute(gsi.partitionKey),
          sortKey: gsi.sortKey ? attribute(gsi.sortKey) : undefined,
        });
      }
      return t;
    };
    this.table = table(mainTable);
    this.idempotencyTable = table(idempotencyTable);

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      // S3 server access logging and CloudFront standard logs cannot write to SSE-KMS buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging delivers through an ACL grant, which needs ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });

    this.labelsBucket = new Bucket(this, 'Labels', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket instead of one KMS call per object.
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'labels/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });
  }
}
