/**
 * Pretty JSON of a size a terminal can show: strings past `maxString` characters cut with their length said, arrays
 * past `maxItems` items and objects past `maxKeys` keys cut with what was left out counted. The summary of an
 * orchestration whose result is megabytes shows its shape, not the megabytes; `shortened` says whether anything was
 * cut, so the caller can say where the whole value is (`--detailed`, `--json`).
 */

export interface BoundedJsonOptions {
  /** @default 200 */
  maxString?: number;
  /** @default 20 */
  maxItems?: number;
  /** @default 50 */
  maxKeys?: number;
}

function bounded(value: unknown, options: Required<BoundedJsonOptions>, cut: { any: boolean }): unknown {
  if (typeof value === 'string') {
    if (value.length <= options.maxString) return value;
    cut.any = true;
    return `${value.slice(0, options.maxString)}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, options.maxItems).map((item) => bounded(item, options, cut));
    if (value.length <= options.maxItems) return kept;
    cut.any = true;
    return [...kept, `… ${value.length - options.maxItems} more items`];
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const entries = Object.entries(value);
    const kept = Object.fromEntries(
      entries.slice(0, options.maxKeys).map(([key, item]) => [key, bounded(item, options, cut)]),
    );
    if (entries.length <= options.maxKeys) return kept;
    cut.any = true;
    return { ...kept, '…': `${entries.length - options.maxKeys} more keys` };
  }
  return value;
}

/**
 * @example
 * boundedJson({ text: 'x'.repeat(1000) }); // { text: '{\n  "text": "xxx…x… (1000 characters)"\n}', shortened: true }
 */
export function boundedJson(value: unknown, options: BoundedJsonOptions = {}): { text: string; shortened: boolean } {
  const cut = { any: false };
  const limits = { maxString: 200, maxItems: 20, maxKeys: 50, ...options };
  const text = JSON.stringify(bounded(value, limits, cut), null, 2) ?? 'undefined';
  return { text, shortened: cut.any };
}
