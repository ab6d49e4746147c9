import type { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../../commons/powertools';
import { fulfillmentSettings } from '../../fulfillment/settings';
import type { LabelStorage } from '../../fulfillment/label-storage';

/**
 * The S3 SDK and the presigner are loaded on first use, not at init: the fulfillment service (and so this
 * module) is in the graph of functions that never touch a label file (tracking, webhooks, ship, deliver).
 */
const s3Sdk = () => import('@aws-sdk/client-s3');
const presigner = () => import('@aws-sdk/s3-request-presigner');

let s3: Promise<S3Client> | undefined;
function s3Client(): Promise<S3Client> {
  // Created once per execution environment so warm invocations reuse connections.
  s3 ??= s3Sdk().then(({ S3Client }) => tracer.captureAWSv3Client(new S3Client({})));
  s3.catch(() => (s3 = undefined)); // a failed load is retried on the next call
  return s3;
}

/** AWS: the private labels bucket, objects encrypted with SSE-KMS, read through short-lived presigned URLs. */
export function s3LabelStorage(bucket: string, given?: S3Client): LabelStorage {
  const clientOf = () => (given ? Promise.resolve(given) : s3Client());
  return {
    kind: 's3',
    async put(key, body, contentType) {
      const kmsKeyId = fulfillmentSettings.labelsKmsKeyId();
      const [client, { PutObjectCommand }] = await Promise.all([clientOf(), s3Sdk()]);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          // With a key id: SSE-KMS under that key, explicitly. Without one, no header at all, so the bucket's
          // default encryption (SSE-KMS with its customer-managed key) applies: a bare `aws:kms` header would
          // make S3 use the AWS-managed aws/s3 key instead.
          ...(kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId, BucketKeyEnabled: true } : {}),
        }),
      );
    },
    async deliver(key, contentType, filename) {
      const expiresIn = fulfillmentSettings.labelUrlTtlSeconds();
      const [client, { GetObjectCommand }, { getSignedUrl }] = await Promise.all([clientOf(), s3Sdk(), presigner()]);
      const url = await getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentType: contentType,
          ResponseContentDisposition: `attachment; filename="${filename}"`,
        }),
        { expiresIn },
      );
      return { kind: 'url', url, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
    },
  };
}
