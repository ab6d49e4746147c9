/**
 * The label storage port (adapters/fulfillment/*-label-storage.ts implement it; label-stores.ts picks one).
 * Where label files live: privately in S3 (SSE-KMS) on AWS, or under `${LOCAL_DATA_DIR}/labels/` locally.
 * Keys look like `labels/<orderId>/<trackingNumber>.pdf`, so a losing concurrent attempt never overwrites
 * the label of the tracking number that won.
 */
export type LabelFormat = 'pdf' | 'zpl';

export const labelContentTypes: Record<LabelFormat, string> = {
  pdf: 'application/pdf',
  zpl: 'application/zpl',
};

export type LabelDelivery =
  | { kind: 'url'; url: string; expiresAt: string }
  | { kind: 'bytes'; body: Uint8Array };

export interface LabelStorage {
  readonly kind: 's3' | 'local';
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** A presigned URL (S3) or the bytes (local); undefined when the object is missing (local only). */
  deliver(key: string, contentType: string, filename: string): Promise<LabelDelivery | undefined>;
}

const SAFE_KEY = /^labels\/[A-Za-z0-9_-]{1,64}\/[A-Z0-9]{4,64}\.(pdf|zpl)$/;

export function labelKey(orderId: string, trackingNumber: string, format: LabelFormat): string {
  const key = `labels/${orderId}/${trackingNumber}.${format}`;
  // Keys become file paths locally: refuse anything that could escape the labels folder.
  if (!SAFE_KEY.test(key)) throw new Error('Unsafe label key');
  return key;
}

export function isSafeLabelKey(key: string): boolean {
  return SAFE_KEY.test(key);
}
