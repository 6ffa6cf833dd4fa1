/** An optional package that a feature needs is not installed: says which one, for what, and how to add it. */
import { BatonError } from './baton-error.js';

export class MissingDependencyError extends BatonError {
  /** The npm package to install, e.g. `better-sqlite3`. */
  readonly packageName: string;
  /** What needs it, e.g. `the SQLite store`. */
  readonly feature: string;

  constructor(packageName: string, feature: string, options: { cause?: unknown } = {}) {
    super('missing-dependency', `${feature} needs the package "${packageName}": npm install ${packageName}`, options);
    this.name = 'MissingDependencyError';
    this.packageName = packageName;
    this.feature = feature;
  }

  static override isInstance(error: unknown): error is MissingDependencyError {
    return BatonError.isInstance(error) && error.code === 'missing-dependency';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), packageName: this.packageName, feature: this.feature };
  }

  /** True when `error` is Node's failure to find `packageName` itself (not a module that it, in turn, imports). */
  static isNotFound(error: unknown, packageName: string): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
    const message = String((error as Error).message);
    return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
  }
}
