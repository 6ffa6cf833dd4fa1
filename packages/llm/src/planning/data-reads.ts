/** The fields of the request's data a plan reads (`{ $ref: 'request.data.<field>…' }`), each once, where first read. */
export interface DataRead {
  field: string;
  /** Where in the plan, e.g. `.steps[0].input.city`. */
  path: string;
}

const DATA_FIELD = /^request\.data\.([^.[\]]+)/;

export function dataReads(plan: unknown): DataRead[] {
  const reads = new Map<string, string>();
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${path}[${i}]`);
      });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const field = key === '$ref' && typeof inner === 'string' ? DATA_FIELD.exec(inner)?.[1] : undefined;
      if (field !== undefined && !reads.has(field)) reads.set(field, path);
      visit(inner, `${path}.${key}`);
    }
  };
  visit(plan, '');
  return [...reads].map(([field, path]) => ({ field, path }));
}
