import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { tracer } from '../../commons/powertools';
import { fulfillmentSettings } from '../../fulfillment/settings';
import type { LabelStorage } from '../../fulfillment/label-storage';

let s3: S3Client | undefined;
function s3Client(): S3Client {
  // Created once per execution environment so warm invocations reuse connections.
  s3 ??= tracer.captureAWSv3Client(new S3Client({}));
  return s3;
}

/** AWS: the private labels bucket, objects encrypted with SSE-KMS, read through short-lived presigned URLs. */
export function s3LabelStorage(bucket: string, client: S3Client = s3Client()): LabelStorage {
  return {
    kind: 's3',
    async put(key, body, contentType) {
      const kmsKeyId = fulfillmentSettings.labelsKmsKeyId();
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
