/**
 * Renders related past answers into the text injected into a prompt on a miss: the seed's single template string,
 * whose `{context}` becomes the answers formatted by `@baton/cache`'s `formatContext`.
 */
import { formatContext, type RelatedAnswer } from '@baton/cache';

/**
 * @example
 * renderContext('Earlier answers:\n{context}', [{ entryId: 'e1', question: 'q', answer: 'a', similarity: 0.7 }]);
 * // 'Earlier answers:\nQ: q\nA: a'
 */
export function renderContext(template: string, related: readonly RelatedAnswer[]): string {
  return template.replaceAll('{context}', formatContext(related, { header: '' }));
}
