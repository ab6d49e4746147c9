/**
 * zod for the service's schemas: zod/mini (functional API, tree-shakes to the checks a bundle uses) with the
 * English messages of classic zod, so answers read exactly as before. `import { z } from 'zod'` put all of
 * classic zod and its 40-odd locales (454 KB) into every bundle; see docs/decisions.md (2026-12-01).
 * Every module that defines a schema imports zod from here, never from 'zod' itself, so the locale is set.
 */
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';

z.config(en());

export * from 'zod/mini';
