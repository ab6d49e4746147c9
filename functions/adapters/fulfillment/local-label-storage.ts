import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { isSafeLabelKey, type LabelStorage } from '../../fulfillment/label-storage';

/** Local mode: label files under `${LOCAL_DATA_DIR}/labels/`, served by streaming their bytes. */
export function localLabelStorage(dataDir: string): LabelStorage {
  const root = resolve(dataDir);
  const pathOf = (key: string) => {
    if (!isSafeLabelKey(key)) throw new Error('Unsafe label key');
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new Error('Unsafe label key');
    return path;
  };
  return {
    kind: 'local',
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: a reader never sees half a label.
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, path);
    },
    async deliver(key) {
      try {
        return { kind: 'bytes', body: new Uint8Array(await readFile(pathOf(key))) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
