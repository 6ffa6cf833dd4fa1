/** A list a command prints: JSON with `--json`, otherwise aligned columns, or a sentence when there is nothing. */
import type { Io } from '../io.js';
import { formatTable } from './table.js';

export interface ListFormat<T> {
  headers: readonly string[];
  row(item: T): readonly string[];
  /** What to print when the list is empty, e.g. `No webhooks.` */
  empty: string;
}

export function printList<T>(io: Io, items: readonly T[], json: boolean | undefined, format: ListFormat<T>): void {
  if (json === true) {
    io.out(JSON.stringify(items, null, 2));
    return;
  }
  if (items.length === 0) {
    io.out(format.empty);
    return;
  }
  for (const line of formatTable(format.headers, items.map(format.row))) io.out(line);
}

/** One object as JSON with `--json`, otherwise the given lines. */
export function printItem(io: Io, item: unknown, json: boolean | undefined, lines: () => readonly string[]): void {
  if (json === true) io.out(JSON.stringify(item, null, 2));
  else for (const line of lines()) io.out(line);
}
