/**
 * Reads the fenced code blocks of a Markdown file, with the line each starts on, so a test can run every one of
 * them: documentation that is never run drifts from the code it shows.
 */

export interface CodeBlock {
  /** The fence's info string's first word: `ts`, `sh`, `json`… (empty when the fence names none). */
  readonly language: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** Every fenced block (``` or ~~~), in order. An unclosed fence is an error, since it would swallow the rest. */
export function readCodeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence); i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`unclosed code fence opened on line ${start + 1}`);
    blocks.push({ language: open[3]!.toLowerCase(), code: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

/** The commands of a shell block: one per line, comments and blank lines left out, `a && b` split in two. */
export function shellCommands(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split('&&').map((command) => command.trim()));
}
