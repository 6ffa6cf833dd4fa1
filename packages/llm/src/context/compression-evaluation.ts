/**
 * How well context assembly compresses long documents toward a question: each document of a labelled set is sent
 * with its question through `assembleContext`, with a budget that leaves room for `keepRatio` of the document (its
 * tokens as given, before JSON is minified or repeated sentences removed), and
 * the result is scored by the share of the labelled key facts (exact strings or regular expressions an answer needs)
 * still in the document as sent. The repository's set is `packages/llm/data/compression/` (`readCompressionSet`).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Embedder } from '@baton/cache';
import { tokenCounter } from '../tokens/token-counter.js';
import { assembleContext } from './assemble-context.js';

export type KeyFact = string | { pattern: string };

export interface CompressionCase {
  id: string;
  text: string;
  question: string;
  keyFacts: readonly KeyFact[];
}

export interface CompressionCaseResult {
  id: string;
  tokensBefore: number;
  /** 0 when the document was dropped. */
  tokensAfter: number;
  /** Key facts still in the document as sent. */
  keyFactsKept: number;
  keyFacts: number;
  /** The key facts lost, as labelled. */
  missing: string[];
}

export interface CompressionEvaluation {
  cases: number;
  /** Tokens of the documents as sent over tokens as given, all cases together (lower is smaller). */
  ratio: number;
  /** Key facts kept over key facts labelled, all cases together. */
  keyFactsKept: number;
  results: CompressionCaseResult[];
}

export interface CompressionEvaluationOptions {
  /** The model whose tokens are counted. @default 'gpt-4o' */
  model?: string;
  /** The share of each document the budget leaves room for. @default 0.5 */
  keepRatio?: number;
  /** @default the offline SIF embedder */
  embedder?: Embedder;
}

const factLabel = (fact: KeyFact) => (typeof fact === 'string' ? fact : `/${fact.pattern}/`);
const hasFact = (text: string, fact: KeyFact) =>
  typeof fact === 'string' ? text.includes(fact) : new RegExp(fact.pattern).test(text);

function documentText(content: string): string {
  return content.slice(content.indexOf('\n') + 1, content.lastIndexOf('\n'));
}

async function evaluateCase(
  item: CompressionCase,
  options: Required<Omit<CompressionEvaluationOptions, 'embedder'>> & { embedder?: Embedder },
): Promise<CompressionCaseResult> {
  const counter = tokenCounter(options.model);
  const messages = [{ role: 'user' as const, content: item.question }];
  const documents = [{ id: item.id, text: item.text }];
  const whole = await assembleContext({
    model: options.model,
    messages,
    documents,
    budget: { maxInputTokens: 10_000_000, reserveOutputTokens: 0 },
  });
  const tokensBefore = counter.text(item.text);
  const sentWhole = whole.manifest.find((entry) => entry.kind === 'document')!;
  const frame = sentWhole.tokensBefore - tokensBefore;
  const maxInputTokens = whole.tokens - sentWhole.tokensAfter + frame + Math.floor(tokensBefore * options.keepRatio);
  const strategies = { compress: { keepRatio: options.keepRatio, embedder: options.embedder, minTokens: 0 } };
  const sent = await assembleContext({
    model: options.model,
    messages,
    documents,
    budget: { maxInputTokens, reserveOutputTokens: 0 },
    strategies,
  });
  const document = sent.messages.find(
    (message) => message.role === 'system' && message.content.startsWith('<document'),
  );
  const text = document ? documentText(document.content as string) : '';
  const missing = item.keyFacts.filter((fact) => !hasFact(text, fact)).map(factLabel);
  return {
    id: item.id,
    tokensBefore,
    tokensAfter: text ? counter.text(text) : 0,
    keyFactsKept: item.keyFacts.length - missing.length,
    keyFacts: item.keyFacts.length,
    missing,
  };
}

/**
 * @example
 * const evaluation = await evaluateCompression(readCompressionSet('packages/llm/data/compression'), { keepRatio: 0.5 });
 * evaluation.ratio; // ≈ 0.45: documents sent at under half their tokens
 * evaluation.keyFactsKept; // the share of labelled facts still there
 */
export async function evaluateCompression(
  cases: readonly CompressionCase[],
  options: CompressionEvaluationOptions = {},
): Promise<CompressionEvaluation> {
  const settings = {
    model: options.model ?? 'gpt-4o',
    keepRatio: options.keepRatio ?? 0.5,
    embedder: options.embedder,
  };
  const results: CompressionCaseResult[] = [];
  for (const item of cases) results.push(await evaluateCase(item, settings));
  const sum = (pick: (result: CompressionCaseResult) => number) =>
    results.reduce((total, result) => total + pick(result), 0);
  return {
    cases: results.length,
    ratio:
      sum((result) => result.tokensAfter) /
      Math.max(
        1,
        sum((result) => result.tokensBefore),
      ),
    keyFactsKept:
      sum((result) => result.keyFactsKept) /
      Math.max(
        1,
        sum((result) => result.keyFacts),
      ),
    results,
  };
}

interface CaseFile {
  cases: { id: string; file: string; question: string; keyFacts: KeyFact[] }[];
}

/**
 * The labelled cases of a compression set: `cases.json` and the documents it names, in `folder` (the repository
 * ships one in `packages/llm/data/compression/`; the published package does not carry it).
 *
 * @example
 * readCompressionSet(new URL('../packages/llm/data/compression/', import.meta.url)); // the 11 shipped cases
 */
export function readCompressionSet(folder: URL | string): CompressionCase[] {
  const base = typeof folder === 'string' ? pathToFileURL(folder.endsWith('/') ? folder : `${folder}/`) : folder;
  const { cases } = JSON.parse(readFileSync(new URL('cases.json', base), 'utf8')) as CaseFile;
  return cases.map(({ file, ...labelled }) => ({ ...labelled, text: readFileSync(new URL(file, base), 'utf8') }));
}
