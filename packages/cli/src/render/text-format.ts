/** How values read in a terminal line: times, durations, clipped text and short JSON. */
import stringWidth from 'string-width';

/** `2026-01-01T10:00:00.123Z` → `2026-01-01 10:00:00Z`; `-` for none. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `850ms`, `4.2s`, `3m 05s`, `2h 01m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** The time between two ISO times, or `undefined` when either is missing. */
export function durationBetween(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? undefined : ms;
}

/** One line of at most `width` columns: line breaks become spaces, a longer text ends in `…`. */
export function clip(text: string, width: number): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  if (stringWidth(line) <= width) return line;
  let kept = '';
  for (const character of line) {
    if (stringWidth(`${kept}${character}…`) > width) break;
    kept += character;
  }
  return `${kept}…`;
}

/** Compact JSON on one line, clipped; `undefined` reads as `-`. */
export function shortJson(value: unknown, width = 80): string {
  if (value === undefined) return '-';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return clip(text, width);
}

/** Pads with spaces to `width` columns, by display width (wide characters count twice). */
export function padEnd(text: string, width: number): string {
  return `${text}${' '.repeat(Math.max(0, width - stringWidth(text)))}`;
}

export { stringWidth };
