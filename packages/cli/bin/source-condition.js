/**
 * A module resolve hook that adds the `@baton/source` export condition, so the workspace packages resolve to their
 * TypeScript sources instead of a `dist/` that is not built.
 */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@baton/source')
    ? context.conditions
    : [...context.conditions, '@baton/source'];
  return nextResolve(specifier, { ...context, conditions });
}
