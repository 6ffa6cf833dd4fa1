/** A tool list or a labelled query file that cannot be used, with where it went wrong. */
import { BatonError } from '@baton/core';

export class ToolDataError extends BatonError {
  /** Which input: an MCP `tools/list` result, or JSON Lines of labelled queries. */
  readonly input: 'tools' | 'queries';
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;
  /** JSON path of the problem inside the line or document (`tools[3].name`), when known. */
  readonly path: string | undefined;

  constructor(
    input: 'tools' | 'queries',
    problem: string,
    where: { line?: number; path?: string } = {},
    options: { cause?: unknown } = {},
  ) {
    const at = [where.line === undefined ? '' : `line ${where.line}`, where.path ?? ''].filter(Boolean).join(', ');
    super('invalid-tool-data', `${at ? `${at}: ` : ''}${problem}`, options);
    this.name = 'ToolDataError';
    this.input = input;
    this.line = where.line;
    this.path = where.path;
  }

  static override isInstance(error: unknown): error is ToolDataError {
    return BatonError.isInstance(error) && error.code === 'invalid-tool-data';
  }
}
