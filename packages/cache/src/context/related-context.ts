/**
 * Context injection (seed: self-RAG): on a miss, answers to related earlier questions can be added to the prompt.
 * Related answers come only from the request's own partition — same model, system prompt, tools, scope and earlier
 * conversation — so they never cross scopes. This module holds the options, the result shape and the formatter.
 */
import { type Problem, ValidationError } from '@baton/core';

export interface RelatedOptions {
  /** Most related answers returned. @default 3 */
  topK?: number;
  /** Cosine similarity a past question needs to count as related. @default 0.6 */
  minSimilarity?: number;
}

export interface ContextInjectionOptions extends RelatedOptions {
  /** Attach related answers to every miss returned by `lookup`. @default false */
  enabled?: boolean;
}

export interface RelatedAnswer {
  entryId: string;
  /** The earlier question (its last user turn). */
  question: string;
  /** The text of the answer given then. */
  answer: string;
  similarity: number;
}

export interface ContextTemplate {
  /** First line, before the answers. @default 'Answers to related earlier questions (use them only if they apply):' */
  header?: string;
  /** One answer; placeholders `{question}`, `{answer}`, `{similarity}`. @default 'Q: {question}\nA: {answer}' */
  item?: string;
  /** Between answers. @default '\n\n' */
  separator?: string;
}

export const DEFAULT_RELATED_TOP_K = 3;
export const DEFAULT_RELATED_MIN_SIMILARITY = 0.6;
const PLACEHOLDERS = ['question', 'answer', 'similarity'];

/** Checks related-answer options; every bad value is a problem of one `ValidationError` naming the option. */
export function resolveRelatedOptions(options: RelatedOptions = {}): Required<RelatedOptions> {
  const topK = options.topK ?? DEFAULT_RELATED_TOP_K;
  const minSimilarity = options.minSimilarity ?? DEFAULT_RELATED_MIN_SIMILARITY;
  const problems: Problem[] = [];
  if (!Number.isInteger(topK) || topK < 1) {
    problems.push({ path: 'topK', code: 'type', message: `must be a whole number ≥ 1, got ${JSON.stringify(topK)}` });
  }
  if (typeof minSimilarity !== 'number' || !(minSimilarity > -1 && minSimilarity <= 1)) {
    problems.push({
      path: 'minSimilarity',
      code: 'range',
      message: `must be a cosine similarity in (-1, 1], got ${JSON.stringify(minSimilarity)}`,
    });
  }
  if (problems.length > 0) throw new ValidationError('invalid related-answer options', problems);
  return { topK, minSimilarity };
}

/**
 * Formats related answers for a prompt; an empty list gives an empty string.
 * @example
 * const related = await cache.related(request, { topK: 2 });
 * const system = `${basePrompt}\n\n${formatContext(related)}`;
 */
export function formatContext(related: readonly RelatedAnswer[], template: ContextTemplate = {}): string {
  const item = template.item ?? 'Q: {question}\nA: {answer}';
  const unknown = [...item.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((name) => !PLACEHOLDERS.includes(name));
  if (unknown.length > 0) {
    throw new ValidationError('invalid context template', [
      {
        path: 'item',
        code: 'unknown-placeholder',
        message: `unknown placeholder {${unknown[0]}}; use {question}, {answer} or {similarity}`,
      },
    ]);
  }
  if (related.length === 0) return '';
  const header = template.header ?? 'Answers to related earlier questions (use them only if they apply):';
  const values = (answer: RelatedAnswer): Record<string, string> => ({
    question: answer.question,
    answer: answer.answer,
    similarity: answer.similarity.toFixed(2),
  });
  const items = related.map((answer) => item.replace(/\{(\w+)\}/g, (_, name: string) => values(answer)[name]!));
  return [header, items.join(template.separator ?? '\n\n')].filter((part) => part !== '').join('\n');
}
