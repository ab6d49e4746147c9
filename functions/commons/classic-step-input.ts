import * as z from 'zod';

/**
 * The step input as a classic zod object, for steps whose input schema is built with classic methods
 * (`stepInput.extend(...)`). `import * as z` keeps the bundle to classic zod without its locales (≈ 83 KB);
 * built with `z.extend(stepInput, ...)` from domain/zod.ts instead, a step needs none of it (≈ 20 KB).
 */
export const stepInput = z.object({ orderId: z.uuid() });
