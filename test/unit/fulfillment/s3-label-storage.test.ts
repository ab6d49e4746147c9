import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { s3LabelStorage } from '../../../functions/adapters/fulfillment/s3-label-storage';
import { labelKey } from '../../../functions/fulfillment/label-storage';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const s3 = mockClient(client);

afterEach(() => {
  s3.reset();
  delete process.env.LABELS_KMS_KEY_ID;
  delete process.env.LABEL_URL_TTL_SECONDS;
});

describe('S3 label storage', () => {
  it('writes labels with SSE-KMS under the configured customer-managed key', async () => {
    process.env.LABELS_KMS_KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
    s3.on(PutObjectCommand).resolves({});
    await s3LabelStorage('labels', client).put('labels/o1/RA473124829GB.pdf', new Uint8Array([37, 80, 68, 70]), 'application/pdf');
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      Bucket: 'labels',
      Key: 'labels/o1/RA473124829GB.pdf',
      ContentType: 'application/pdf',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
    });
  });

  it('without a key id leaves encryption to the bucket default (never the aws/s3 managed key)', async () => {
    s3.on(PutObjectCommand).resolves({});
    await s3LabelStorage('labels', client).put('labels/o1/RA473124829GB.zpl', '^XA^XZ', 'application/zpl');
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(input.ServerSideEncryption).toBeUndefined();
    expect(input.SSEKMSKeyId).toBeUndefined();
  });

  it('serves labels through presigned GET URLs that expire (default 5 minutes, capped at 1 hour)', async () => {
    const storage = s3LabelStorage('labels', client);
    const delivery = await storage.deliver('labels/o1/RA473124829GB.pdf', 'application/pdf', 'label-RA473124829GB.pdf');
    expect(delivery?.kind).toBe('url');
    const url = new URL((delivery as { url: string }).url);
    expect(url.hostname).toBe('labels.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="label-RA473124829GB.pdf"');
    // Presigning is local: no request reaches S3.
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);

    process.env.LABEL_URL_TTL_SECONDS = '86400';
    const capped = await storage.deliver('labels/o1/RA473124829GB.pdf', 'application/pdf', 'x.pdf');
    expect(new URL((capped as { url: string }).url).searchParams.get('X-Amz-Expires')).toBe('3600');
  });

  it('builds only safe keys (they become file paths locally)', () => {
    expect(labelKey('ord_1', 'RA473124829GB', 'pdf')).toBe('labels/ord_1/RA473124829GB.pdf');
    expect(() => labelKey('../x', 'RA473124829GB', 'pdf')).toThrow();
    expect(() => labelKey('a/b', 'RA473124829GB', 'pdf')).toThrow();
  });
});
