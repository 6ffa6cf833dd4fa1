/**
 * Whether two texts ask the same, as the semantic cache judges it: texts become unit vectors (in the canonical form
 * the cache embeds when the embedder asks for it), a cosine at or above the threshold makes a candidate, and the
 * verifier (every word matched in place, over the WordNet lexicon) decides. Template matching and the plan cache both
 * judge through one of these.
 */
import {
  allPassed,
  type CheckResult,
  canonicalText,
  DEFAULT_SIMILARITY_THRESHOLD,
  type Embedder,
  formOf,
  type Lexicon,
  loadDefaultLexicon,
  normalize,
  validateSimilarityThreshold,
  verifyMatch,
} from '@baton/cache';

export interface MeaningJudgeOptions {
  embedder: Embedder;
  /** Cosine similarity a candidate must reach before it is verified. @default the semantic cache's default (0.65) */
  threshold?: number;
  /** Synonyms for the verifier. @default the shipped WordNet lexicon */
  lexicon?: Lexicon;
}

export class MeaningJudge {
  readonly threshold: number;
  readonly #embedder: Embedder;
  #lexicon: Promise<Lexicon> | undefined;

  constructor(options: MeaningJudgeOptions) {
    this.#embedder = options.embedder;
    // A ValidationError naming the value, as the semantic cache's own threshold gets.
    this.threshold = validateSimilarityThreshold({ ...options }, 'threshold') ?? DEFAULT_SIMILARITY_THRESHOLD;
    if (options.lexicon) this.#lexicon = Promise.resolve(options.lexicon);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const embedder = this.#embedder;
    const inputs = embedder.canonicalInput ? texts.map((text) => canonicalText(formOf(text)) || text) : [...texts];
    return (await embedder.embed(inputs)).map((vector) => normalize(Float32Array.from(vector)));
  }

  /** The verifier's checks of `query` against `candidate`; every one passed means they ask the same. */
  async verify(query: string, candidate: string): Promise<CheckResult[]> {
    this.#lexicon ??= loadDefaultLexicon();
    return verifyMatch(query, candidate, { lexicon: await this.#lexicon });
  }

  async same(query: string, candidate: string): Promise<boolean> {
    return allPassed(await this.verify(query, candidate));
  }
}
