import { config } from '../commons/config';
import { localLabelStorage } from '../adapters/fulfillment/local-label-storage';
import { s3LabelStorage } from '../adapters/fulfillment/s3-label-storage';
import type { LabelStorage } from './label-storage';

/** S3 when LABELS_BUCKET is set; the local folder when only LOCAL_DATA_DIR is. */
export function labelStorage(): LabelStorage {
  const bucket = config.labelsBucket();
  if (bucket) return s3LabelStorage(bucket);
  const dir = config.localDataDir();
  if (dir) return localLabelStorage(dir);
  throw new Error('No label storage configured: set LABELS_BUCKET (AWS) or LOCAL_DATA_DIR (local mode)');
}
