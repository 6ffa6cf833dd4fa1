/**
 * Texts as unit vectors for comparing meanings: in the canonical form the semantic cache embeds when the embedder
 * asks for it (the offline SIF embedder does), so templates and cached plans are compared as the cache compares.
 */
import { canonicalText, type Embedder, formOf, normalize } from '@baton/cache';

export async function embedTexts(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  const inputs = embedder.canonicalInput ? texts.map((text) => canonicalText(formOf(text)) || text) : [...texts];
  return (await embedder.embed(inputs)).map((vector) => normalize(Float32Array.from(vector)));
}
