/** What is wrong with an `agent.yaml`: every problem with its place in the file (line and column) and its path. */
import { type Problem, ValidationError } from '@baton/core';

export interface AgentFileProblem extends Problem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class AgentFileError extends ValidationError {
  /** The file as it was named to the loader. */
  readonly file: string;
  declare readonly problems: readonly AgentFileProblem[];

  constructor(file: string, problems: readonly AgentFileProblem[]) {
    super(`${file} is not a valid agent file`, problems);
    this.name = 'AgentFileError';
    this.file = file;
    const lines = problems.map(
      (p) => `  ${file}:${p.line}:${p.column} ${p.path === '' ? '' : `${p.path}: `}${p.message}`,
    );
    this.message = `${file} is not a valid agent file:\n${lines.join('\n')}`;
  }

  static override isInstance(error: unknown): error is AgentFileError {
    return ValidationError.isInstance(error) && (error as { name?: unknown }).name === 'AgentFileError';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file };
  }
}
