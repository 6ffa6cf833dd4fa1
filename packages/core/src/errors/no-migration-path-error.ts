/**
 * A step pins a version range of a target that no registered version satisfies, and no chain of migrations leads from
 * a version in that range to one that is registered (or a chain a run locked lost one of its migrations).
 */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

export interface NoMigrationPathDetails {
  /** The target's name. */
  name: string;
  /** The range (or exact version) asked for. */
  from: string;
  /** The registered versions no migration chain reaches from it. */
  to: readonly string[];
}

export class NoMigrationPathError extends BatonError {
  readonly targetName: string;
  readonly from: string;
  readonly to: readonly string[];

  constructor(details: NoMigrationPathDetails) {
    const name = clipText(details.name);
    const to = details.to.length > 0 ? details.to.map((version) => `${name}@${version}`).join(', ') : 'none';
    super(
      'no-migration-path',
      `no migration path from ${name}@${clipText(details.from)} to a registered version (registered: ${to}); ` +
        `register one with registry.migrate({ name: '${name}', from, to, input, output })`,
    );
    this.name = 'NoMigrationPathError';
    this.targetName = details.name;
    this.from = details.from;
    this.to = [...details.to];
  }

  static override isInstance(error: unknown): error is NoMigrationPathError {
    return BatonError.isInstance(error) && error.code === 'no-migration-path';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), targetName: this.targetName, from: this.from, to: this.to };
  }
}
