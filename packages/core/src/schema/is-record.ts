/** A JSON object (not null, not an array), as plans, steps and target references must be before use. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
