/**
 * `#field = :field` assignments for an UpdateExpression SET clause, registering the names and values.
 * Undefined fields are skipped, so a partial change only touches what it names.
 */
export function assignments(fields: object, names: Record<string, string>, values: Record<string, unknown>): string[] {
  return Object.entries(fields).flatMap(([field, value]) => {
    if (value === undefined) return [];
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    return [`#${field} = :${field}`];
  });
}
