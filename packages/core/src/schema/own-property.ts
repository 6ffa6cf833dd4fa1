/**
 * Writing a key taken from user data onto an object. `out[key] = value` with the key `__proto__` replaces the
 * object's prototype instead of adding a key (JSON.parse makes `__proto__` an ordinary own key, so such data is
 * real); `setOwn` always adds the key as data.
 */

/**
 * @example
 * const out = {};
 * setOwn(out, '__proto__', { polluted: true });
 * Object.keys(out); // ['__proto__'], and out.polluted is undefined
 */
export function setOwn(target: object, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else (target as Record<string, unknown>)[key] = value;
}
