import { config } from '../commons/config';

/**
 * Fulfillment settings from the environment (read lazily, like commons/config.ts), with defaults that
 * make local mode work untouched.
 *   SENDER_NAME, SENDER_ADDRESS   the "from" block on labels; address lines separated by "|" or newlines
 *   TRACKING_SERVICE_INDICATOR    the two S10 service letters (default CP: parcels)
 *   TRACKING_COUNTRY              the S10 country (commons/config.ts, default US)
 *   LABEL_URL_TTL_SECONDS         lifetime of presigned label URLs (default 300, at most 3600)
 *   LABELS_KMS_KEY_ID             KMS key for label objects (default: the bucket's default encryption key)
 */
export interface SenderAddress {
  name: string;
  lines: string[];
}

export const fulfillmentSettings = {
  sender(): SenderAddress {
    const name = process.env.SENDER_NAME?.trim() || 'Order Service Fulfillment';
    const raw = process.env.SENDER_ADDRESS?.trim() || '100 Warehouse Way|Springfield, IL 62701|US';
    const lines = raw.split(/\||\n/).map((l) => l.trim()).filter(Boolean);
    return { name, lines };
  },
  serviceIndicator(): string {
    const value = (process.env.TRACKING_SERVICE_INDICATOR ?? 'CP').toUpperCase();
    if (!/^[A-Z]{2}$/.test(value)) throw new Error('TRACKING_SERVICE_INDICATOR must be two letters');
    return value;
  },
  trackingCountry: () => config.trackingCountry().toUpperCase(),
  trackingUrl: (trackingNumber: string) => `${config.trackingBaseUrl().replace(/\/+$/, '')}/${trackingNumber}`,
  labelUrlTtlSeconds(): number {
    const value = Number(process.env.LABEL_URL_TTL_SECONDS ?? '300');
    return Number.isInteger(value) && value > 0 ? Math.min(value, 3600) : 300;
  },
  labelsKmsKeyId: () => process.env.LABELS_KMS_KEY_ID || undefined,
};
