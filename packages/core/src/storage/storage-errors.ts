/**
 * The errors the storage layer throws. Opening a store refuses, without writing anything, a database it cannot reach,
 * a file that is not SQLite, a database that belongs to something else, and a schema newer than this code; a fenced
 * write by an engine that lost its lease fails with `LeaseLostError`.
 */
import { BatonError } from '../errors/baton-error.js';

/** The database cannot be reached or opened (refused connection, timeout, bad credentials, unusable path). */
export class StorageUnreachableError extends BatonError {
  /** The location, with any password masked. */
  readonly location: string;

  constructor(location: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'storage-unreachable',
      `cannot reach the database at ${location}: ${reason}; check the URL and that the server is running`,
      {
        cause,
        retryable: true,
      },
    );
    this.name = 'StorageUnreachableError';
    this.location = location;
  }

  static override isInstance(error: unknown): error is StorageUnreachableError {
    return BatonError.isInstance(error) && error.code === 'storage-unreachable';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

/** The file exists but is not a readable SQLite database. */
export class StorageCorruptError extends BatonError {
  readonly location: string;

  constructor(location: string, detail: string, cause?: unknown) {
    super(
      'storage-corrupt',
      `${location} is not a usable SQLite database (${detail}); it was left untouched — restore it from a backup or point Baton at another file`,
      { cause },
    );
    this.name = 'StorageCorruptError';
    this.location = location;
  }

  static override isInstance(error: unknown): error is StorageCorruptError {
    return BatonError.isInstance(error) && error.code === 'storage-corrupt';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

/** The database holds tables that are not Baton's and no Baton schema. */
export class StorageForeignError extends BatonError {
  readonly location: string;
  /** Some of the tables found, to help recognise the database. */
  readonly tables: readonly string[];

  constructor(location: string, tables: readonly string[]) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    super(
      'storage-foreign',
      `${location} belongs to something else (tables: ${shown}) and has no Baton schema; it was left untouched — use a new file or database for Baton`,
    );
    this.name = 'StorageForeignError';
    this.location = location;
    this.tables = tables;
  }

  static override isInstance(error: unknown): error is StorageForeignError {
    return BatonError.isInstance(error) && error.code === 'storage-foreign';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location, tables: this.tables };
  }
}

/** The database was migrated by a newer Baton; this code does not know its schema. */
export class StorageTooNewError extends BatonError {
  readonly location: string;
  readonly foundVersion: number;
  readonly supportedVersion: number;

  constructor(location: string, foundVersion: number, supportedVersion: number) {
    super(
      'storage-too-new',
      `${location} has Baton schema version ${foundVersion}, but this Baton knows versions up to ${supportedVersion}; it was left untouched — upgrade Baton to use it`,
    );
    this.name = 'StorageTooNewError';
    this.location = location;
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }

  static override isInstance(error: unknown): error is StorageTooNewError {
    return BatonError.isInstance(error) && error.code === 'storage-too-new';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      location: this.location,
      foundVersion: this.foundVersion,
      supportedVersion: this.supportedVersion,
    };
  }
}

/** An engine wrote to a run it no longer owns (its lease expired and another engine claimed the run). */
export class LeaseLostError extends BatonError {
  readonly runId: string;
  readonly owner: string;
  /** Who owns the run now; null when nobody does or the run is gone. */
  readonly currentOwner: string | null;

  constructor(runId: string, owner: string, currentOwner: string | null) {
    super(
      'lease-lost',
      `engine "${owner}" no longer owns run "${runId}" (owner now: ${currentOwner === null ? 'none' : `"${currentOwner}"`}); nothing was written — stop working on this run`,
    );
    this.name = 'LeaseLostError';
    this.runId = runId;
    this.owner = owner;
    this.currentOwner = currentOwner;
  }

  static override isInstance(error: unknown): error is LeaseLostError {
    return BatonError.isInstance(error) && error.code === 'lease-lost';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), runId: this.runId, owner: this.owner, currentOwner: this.currentOwner };
  }
}

/** A run with the same id or idempotency key already exists. */
export class DuplicateRunError extends BatonError {
  /** The run that already exists. */
  readonly existingRunId: string;
  readonly idempotencyKey: string | null;

  constructor(existingRunId: string, idempotencyKey: string | null) {
    super(
      'run-duplicate',
      idempotencyKey === null
        ? `run "${existingRunId}" already exists`
        : `idempotency key "${idempotencyKey}" already belongs to run "${existingRunId}"; fetch that run instead of starting another`,
    );
    this.name = 'DuplicateRunError';
    this.existingRunId = existingRunId;
    this.idempotencyKey = idempotencyKey;
  }

  static override isInstance(error: unknown): error is DuplicateRunError {
    return BatonError.isInstance(error) && error.code === 'run-duplicate';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), existingRunId: this.existingRunId, idempotencyKey: this.idempotencyKey };
  }
}
