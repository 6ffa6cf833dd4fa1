/** Aligned columns with a header row, as `ps`-like commands print them; no borders, so lines stay easy to grep. */
import { padEnd, stringWidth } from './text-format.js';

/**
 * @example
 * formatTable(['ID', 'NAME'], [['prj_1', 'billing']]); // ['ID     NAME', 'prj_1  billing']
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(stringWidth(header), ...rows.map((row) => stringWidth(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : padEnd(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
