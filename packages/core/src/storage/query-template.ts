/**
 * A hot query compiled once, then only given new values. Kysely builds a frozen tree for every query and walks it
 * into SQL: tens of microseconds and a few hundred short-lived objects each time, for the run row written when a run
 * starts and when it ends, or an orchestration read on every poll. The SQL of such a query depends on which values
 * it is given, never on what they are; so the first call of each shape (the keys whose value is not `undefined`)
 * builds it with a marker in place of every value and learns which parameter each marker became. Later calls of that
 * shape copy the compiled query with their own values in those places.
 *
 * `build` must hand each value to Kysely as a value (`values`, `set`, `where(column, op, value)`). One it inspects,
 * changes, inlines into the SQL or uses twice does not come out as exactly one marker: that shape is then built and
 * compiled on every call, as without a template, so a misuse costs speed, never a wrong query.
 */
import type { Compilable, CompiledQuery } from 'kysely';

export type TemplateValue = string | number | bigint | boolean | null | Uint8Array;

type Slot = { key: string } | { constant: unknown };

interface Template<Row> {
  query: CompiledQuery<Row>;
  slots: Slot[];
}

const marker = (index: number) => `\u0000baton-query-value-${index}\u0000`;

function learn<Row>(compiled: CompiledQuery<Row>, keys: readonly string[]): Template<Row> | null {
  const byMarker = new Map(keys.map((key, index) => [marker(index), key]));
  const seen = new Set<string>();
  const slots: Slot[] = [];
  for (const parameter of compiled.parameters) {
    const key = typeof parameter === 'string' ? byMarker.get(parameter) : undefined;
    if (key === undefined) {
      slots.push({ constant: parameter });
      continue;
    }
    if (seen.has(key)) return null;
    seen.add(key);
    slots.push({ key });
  }
  if (seen.size !== keys.length || compiled.sql.includes('\u0000')) return null;
  return { query: compiled, slots };
}

/**
 * @example
 * const runById = queryTemplate((values: { id: string }) =>
 *   db.selectFrom('baton_runs').selectAll().where('id', '=', values.id),
 * );
 * const rows = await db.executeQuery(runById({ id }));
 */
export function queryTemplate<Values extends { [Key in keyof Values]: TemplateValue | undefined }, Row>(
  build: (values: Values) => Compilable<Row>,
): (values: Values) => CompiledQuery<Row> {
  const templates = new Map<string, Template<Row> | null>();
  return (values) => {
    const given = values as Record<string, unknown>;
    const keys = Object.keys(given).filter((key) => given[key] !== undefined);
    const shape = keys.join('\u0000');
    let template = templates.get(shape);
    if (template === undefined) {
      const markers = Object.fromEntries(keys.map((key, index) => [key, marker(index)])) as Values;
      template = learn(build(markers).compile(), keys);
      templates.set(shape, template);
    }
    if (template === null) return build(values).compile();
    const parameters = template.slots.map((slot) => ('key' in slot ? given[slot.key] : slot.constant));
    return { ...template.query, parameters };
  };
}
