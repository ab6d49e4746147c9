/**
 * Identifier patterns shared by the request schemas (domain/schemas.ts) and the HTTP wrapper's path check,
 * kept apart from the schemas so the wrapper needs no validation library.
 */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
/** Stock location ids (SPEC.md "Locations"): MAIN, WH-EAST, … */
export const LOCATION_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
