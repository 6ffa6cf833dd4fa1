import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from './missing-dependency-error.js';
import { requireOptional } from './optional-module.js';

const here = import.meta.url;
const absent = 'baton-test-package-that-is-not-installed';

describe('requireOptional', () => {
  it('loads an installed package', () => {
    expect(requireOptional<typeof import('semver')>('semver', 'a test', here).valid('1.2.3')).toBe('1.2.3');
  });

  it('names the package to install, and what needs it, when it is missing', () => {
    let error: unknown;
    try {
      requireOptional(absent, 'the thing', here);
    } catch (caught) {
      error = caught;
    }
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'missing-dependency', packageName: absent, feature: 'the thing' });
    expect((error as Error).message).toContain(`npm install ${absent}`);
  });
});
