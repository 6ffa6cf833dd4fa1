/** The public types of the expression language: a path segment, the path lookup, and a compiled expression. */

/** One step of a path: a property name, or an array index written as `[0]`. */
export type PathSegment = string | number;
/** Resolves a whole static path; returns undefined when nothing is there. */
export type ExpressionLookup = (path: readonly PathSegment[]) => unknown;

/** A parsed and compiled expression, safe to evaluate many times. */
export interface Expression {
  readonly source: string;
  /** Every path the expression reads, e.g. [['steps','score','output','value'], ['request','data','tier']]; deduplicated. */
  readonly references: readonly (readonly PathSegment[])[];
  /** Evaluate with a lookup for paths; a missing path resolves to undefined (lookup returns undefined). */
  evaluate(lookup: ExpressionLookup): unknown;
}
