/**
 * Errors the cache throws. Each subclasses `BatonError` with a stable `code` and typed fields, so callers can branch
 * with `X.isInstance(error)` instead of reading messages.
 */
import { BatonError } from '@baton/core';

/** Vectors from a different embedder (id or dimension) than the one a store or index was built with. */
export class EmbedderMismatchError extends BatonError {
  readonly expected: { id: string; dimension: number };
  readonly actual: { id: string; dimension: number };

  constructor(expected: { id: string; dimension: number }, actual: { id: string; dimension: number }) {
    super(
      'embedder-mismatch',
      `this cache holds vectors from embedder "${expected.id}" (dimension ${expected.dimension}) but was given ` +
        `"${actual.id}" (dimension ${actual.dimension}); mixing embedders in one store is refused — use a new store ` +
        'or key prefix, or clear the store first',
    );
    this.name = 'EmbedderMismatchError';
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is EmbedderMismatchError {
    return BatonError.isInstance(error) && error.code === 'embedder-mismatch';
  }
}

/** An embedding call failed: an HTTP error, a malformed response or a vector of the wrong size. */
export class EmbeddingFailedError extends BatonError {
  readonly embedderId: string;
  readonly status: number | undefined;

  constructor(embedderId: string, message: string, options: { status?: number; cause?: unknown; retryable?: boolean }) {
    super('embedding-failed', `embedder "${embedderId}": ${message}`, {
      cause: options.cause,
      retryable: options.retryable ?? false,
    });
    this.name = 'EmbeddingFailedError';
    this.embedderId = embedderId;
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is EmbeddingFailedError {
    return BatonError.isInstance(error) && error.code === 'embedding-failed';
  }
}

/** A vector whose length is not the dimension its embedder, index or store works in. Never truncated or padded. */
export class VectorDimensionError extends BatonError {
  readonly expected: number;
  readonly actual: number;
  /** What produced or held the vector: an embedder id, `index` or `store`. */
  readonly source: string;

  constructor(source: string, expected: number, actual: number, hint = '') {
    super(
      'vector-dimension-mismatch',
      `${source}: got a vector of dimension ${actual}, expected ${expected}${hint ? `; ${hint}` : ''}`,
    );
    this.name = 'VectorDimensionError';
    this.source = source;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is VectorDimensionError {
    return BatonError.isInstance(error) && error.code === 'vector-dimension-mismatch';
  }
}

/**
 * A store's file or database cannot be used as a cache store: not a SQLite database, damaged pages (found at open or
 * on a later read or write), unreadable, wrong schema. `retryable` is true only for "not now" failures (busy, locked,
 * I/O), which an enhanced call steps around; anything else needs the user to act.
 */
export class CacheStoreError extends BatonError {
  /** The file (or `:memory:`) the store uses. */
  readonly location: string;
  /** What the store was doing: `open`, or the `CacheStore` method that failed. */
  readonly operation: string;
  /** The driver's error code (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, …), when there is one. */
  readonly storeCode: string | undefined;

  constructor(
    location: string,
    message: string,
    options: { cause?: unknown; operation?: string; storeCode?: string; retryable?: boolean } = {},
  ) {
    super('cache-store-unusable', message, { cause: options.cause, retryable: options.retryable ?? false });
    this.name = 'CacheStoreError';
    this.location = location;
    this.operation = options.operation ?? 'open';
    this.storeCode = options.storeCode;
  }

  static override isInstance(error: unknown): error is CacheStoreError {
    return BatonError.isInstance(error) && error.code === 'cache-store-unusable';
  }
}

/** A local model or vector file the user pointed at does not exist or cannot be read. Never silently replaced. */
export class ModelNotFoundError extends BatonError {
  readonly path: string;

  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super('model-not-found', message, options);
    this.name = 'ModelNotFoundError';
    this.path = path;
  }

  static override isInstance(error: unknown): error is ModelNotFoundError {
    return BatonError.isInstance(error) && error.code === 'model-not-found';
  }
}

/** A stored entry could not be decoded (corrupt JSON, bad compression, unknown format version). */
export class CorruptEntryError extends BatonError {
  readonly entryId: string;

  constructor(entryId: string, message: string, options: { cause?: unknown } = {}) {
    super('cache-entry-corrupt', `cache entry "${entryId}" cannot be read: ${message}`, options);
    this.name = 'CorruptEntryError';
    this.entryId = entryId;
  }

  static override isInstance(error: unknown): error is CorruptEntryError {
    return BatonError.isInstance(error) && error.code === 'cache-entry-corrupt';
  }
}

/** A labelled-pairs file has a line that is not `{"a": string, "b": string, "hit": boolean, "kind"?: string}`. */
export class InvalidPairsError extends BatonError {
  /** 1-based line number in the file. */
  readonly line: number;

  constructor(line: number, problem: string, options: { cause?: unknown } = {}) {
    super(
      'invalid-pairs',
      `pairs line ${line}: ${problem}; each line must be {"a": "...", "b": "...", "hit": true|false, "kind"?: "..."}`,
      options,
    );
    this.name = 'InvalidPairsError';
    this.line = line;
  }

  static override isInstance(error: unknown): error is InvalidPairsError {
    return BatonError.isInstance(error) && error.code === 'invalid-pairs';
  }
}
