/**
 * Reads an `agent.yaml`: YAML (the `yaml` package) checked against `agent-file-schema.ts`. Every problem — a YAML
 * syntax error, a value of the wrong kind, an unknown key, a key put in the file — comes back at once in one
 * `AgentFileError`, each with its path and its line and column in the file, the value given
 * (`agent-file-issues.ts`), and for an unknown key the keys known there.
 */
import { readFile } from 'node:fs/promises';
import type { Problem } from '@baton/core';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AgentFileError, type AgentFileProblem } from './agent-file-error.js';
import { dotted, issueMessage, unknownKeyMessage } from './agent-file-issues.js';
import { type AgentFile, agentFileSchema } from './agent-file-schema.js';

type YamlDocument = ReturnType<typeof parseDocument>;
type Position = { line: number; column: number };

const START: Position = { line: 1, column: 1 };

/** Where each parsed file came from, so a problem found later (a tool not registered) can be placed in it. */
const sources = new WeakMap<AgentFile, { file: string; place(path: readonly PropertyKey[]): Position }>();

/** `tools[2]` → `['tools', 2]`; `mcpServers[0].env` → `['mcpServers', 0, 'env']`. */
function pathKeys(path: string): PropertyKey[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(([, key, index]) =>
    index === undefined ? key! : Number(index),
  );
}

/**
 * Problems found after parsing (`tools[2]` is not registered), placed at their line and column in the file `agent`
 * was parsed from, as one `AgentFileError`; undefined when `agent` was not parsed from a file here.
 */
export function placeInAgentFile(agent: AgentFile, problems: readonly Problem[]): AgentFileError | undefined {
  const source = sources.get(agent);
  if (source === undefined) return undefined;
  const placed = problems.map((problem) => ({ ...problem, ...source.place(pathKeys(problem.path)) }));
  return new AgentFileError(source.file, placed);
}

/** Where the node at `path` starts; for a path that is not in the file, where its nearest parent starts. */
function positionOf(doc: YamlDocument, counter: LineCounter, path: readonly PropertyKey[], key?: string): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as Node | null | undefined;
    if (!node?.range) continue;
    const at = key !== undefined && depth === path.length && isMap(node) ? keyNode(node, key) : node;
    const { line, col } = counter.linePos((at?.range ?? node.range)[0]);
    return { line, column: col };
  }
  return START;
}

function keyNode(map: { items: { key: unknown }[] }, key: string): Node | undefined {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  return pair?.key as Node | undefined;
}

function problemsOf(issues: readonly z.core.$ZodIssue[], doc: YamlDocument, counter: LineCounter): AgentFileProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: dotted([...issue.path, key]),
        code: 'unknown-key',
        message: unknownKeyMessage(agentFileSchema, issue.path, key),
        ...positionOf(doc, counter, issue.path, key),
      }));
    }
    return [
      {
        path: dotted(issue.path),
        code: issue.code,
        message: issueMessage(agentFileSchema, issue),
        ...positionOf(doc, counter, issue.path),
      },
    ];
  });
}

/**
 * @example
 * const agent = parseAgentFile('model: { baseURL: "http://127.0.0.1:11434/v1", name: llama3.1 }\n', 'agent.yaml');
 * agent.model?.name; // 'llama3.1'
 */
export function parseAgentFile(text: string, file = 'agent.yaml'): AgentFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new AgentFileError(
      file,
      doc.errors.map((error) => {
        const at = counter.linePos(error.pos[0]);
        return {
          path: '',
          code: 'yaml',
          message: error.message.split('\n')[0] ?? error.code,
          line: at.line,
          column: at.col,
        };
      }),
    );
  }
  const parsed = agentFileSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsOf(parsed.error.issues, doc, counter);
    throw new AgentFileError(
      file,
      problems.sort((a, b) => a.line - b.line || a.column - b.column),
    );
  }
  sources.set(parsed.data, { file, place: (path) => positionOf(doc, counter, path) });
  return parsed.data;
}

/** Reads and checks the agent file at `path` (a missing file is a plain `ENOENT` error from the file system). */
export async function loadAgentFile(path: string): Promise<AgentFile> {
  return parseAgentFile(await readFile(path, 'utf8'), path);
}
