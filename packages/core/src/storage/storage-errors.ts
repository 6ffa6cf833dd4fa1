/**
 * The errors the storage layer throws. Opening a store refuses, without writing anything, a database it cannot reach,
 * a file that is not SQLite, a database that belongs to something else, and a schema newer than this code; a fenced
 * write by an engine that lost its lease fails with `LeaseLostError`.
 */
import { BatonError } from '../errors/baton-error.js';
import { describeValue } from '../errors/describe-value.js';

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

/** The database holds schema objects (tables, views, triggers …) that are not Baton's, or no Baton schema. */
export class StorageForeignError extends BatonError {
  readonly location: string;
  /** Some of the objects found that are not Baton's (tables, views, indexes, triggers), to help recognise it. */
  readonly tables: readonly string[];

  constructor(location: string, tables: readonly string[]) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    super(
      'storage-foreign',
      `${location} belongs to something else (tables: ${shown}) and is not a Baton schema; it was left untouched — use a new file or database for Baton`,
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

/** A person tried to approve or reject an approval after it expired; the run takes its `onExpire` path instead. */
export class ApprovalExpiredError extends BatonError {
  readonly approvalId: string;
  /** When it expired (ms since epoch). */
  readonly expiredAt: number;

  constructor(approvalId: string, expiredAt: number) {
    super(
      'approval-decision-expired',
      `approval "${approvalId}" expired at ${new Date(expiredAt).toISOString()} and can no longer be decided; its run takes the step's onExpire path — start a new run to ask again`,
    );
    this.name = 'ApprovalExpiredError';
    this.approvalId = approvalId;
    this.expiredAt = expiredAt;
  }

  static override isInstance(error: unknown): error is ApprovalExpiredError {
    return BatonError.isInstance(error) && error.code === 'approval-decision-expired';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), approvalId: this.approvalId, expiredAt: this.expiredAt };
  }
}

/** An approval id is already taken by another run or step (approval ids are derived from run id and step key). */
export class DuplicateApprovalError extends BatonError {
  readonly approvalId: string;
  /** The run and step the id belongs to; null when the approval vanished meanwhile. */
  readonly existingRunId: string | null;
  readonly existingStepKey: string | null;

  constructor(approvalId: string, existingRunId: string | null, existingStepKey: string | null) {
    super(
      'approval-duplicate',
      `approval id "${approvalId}" already belongs to ${existingRunId === null ? 'an approval that is gone' : `step "${existingStepKey}" of run "${existingRunId}"`}; give each approval its own id`,
    );
    this.name = 'DuplicateApprovalError';
    this.approvalId = approvalId;
    this.existingRunId = existingRunId;
    this.existingStepKey = existingStepKey;
  }

  static override isInstance(error: unknown): error is DuplicateApprovalError {
    return BatonError.isInstance(error) && error.code === 'approval-duplicate';
  }

  override toJSON(): Record<string, unknown> {
    const { approvalId, existingRunId, existingStepKey } = this;
    return { ...super.toJSON(), approvalId, existingRunId, existingStepKey };
  }
}

/** A store URL whose scheme names a database Baton has no store for (`mysql://…`, `redis://…`). */
export class UnsupportedStoreUrlError extends BatonError {
  /** The scheme as given, without the colon (`mysql`). */
  readonly scheme: string;
  /** The forms `openStore` accepts. */
  readonly supported: readonly string[];

  constructor(scheme: string, url: string, supported: readonly string[]) {
    super(
      'store-url-unsupported',
      `openStore cannot open ${describeValue(url)}: the scheme "${scheme}:" is not supported; use one of ${supported.join(', ')}`,
    );
    this.name = 'UnsupportedStoreUrlError';
    this.scheme = scheme;
    this.supported = supported;
  }

  static override isInstance(error: unknown): error is UnsupportedStoreUrlError {
    return BatonError.isInstance(error) && error.code === 'store-url-unsupported';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), scheme: this.scheme, supported: this.supported };
  }
}
