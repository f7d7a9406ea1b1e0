/**
 * The one place option checks throw from. Options are validated when an authenticator, a store or
 * an adapter is created, never per request (DESIGN.md §2: "Bad options throw `TypeError` when the
 * authenticator is created"), and every message starts with `client-auth:` so that a stack trace
 * names the library. The checkers here are the ones several option readers repeat; a check used by
 * one reader only stays with it.
 */

/** Throw the setup-time `TypeError` for a bad option: a programmer error, not a protocol error. */
export function fail(message: string): never {
  throw new TypeError(`client-auth: ${message}`);
}

/** `value` when it is absent or a function; else a `TypeError` naming `name`. */
export function checkFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(`${name} must be a function`);
  return value;
}

/** `value` when it is absent or a boolean; else a `TypeError` naming `name`. */
export function checkBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(`${name} must be a boolean`);
  return value as boolean | undefined;
}

/** `fallback` when `value` is absent, else `value` when it is a safe integer ≥ 1. */
export function positiveInteger(value: unknown, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`${name} must be a positive integer`);
  return value as number;
}

/** `fallback` when `value` is absent, else `value` when it is a safe integer within `min`–`max`. */
export function integerInRange(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    fail(`${name} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

/** `fallback` when `value` is absent, else `value` when it is a finite number ≥ `min`. */
export function numberAtLeast(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}`);
  return value;
}

/**
 * A copy of a non-empty array whose every item is one of `allowed`. `refusal` opens the message for
 * an item that is not (`unknown method "x"`, `unsupported algorithm "y"`); `of` describes the items
 * in the message for a value that is no such array (`' of method names'`).
 */
export function checkList<T>(value: unknown, name: string, allowed: readonly T[], refusal: string, of = ''): T[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${name} must be a non-empty array${of}`);
  for (const item of value) {
    if (!allowed.includes(item)) fail(`${name}: ${refusal} ${JSON.stringify(item)}`);
  }
  return [...value];
}

/** A `TypeError` unless `value` is absent or an object (not `null`). */
export function checkOptionalObject(value: unknown, name: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) fail(`${name} must be an object`);
}
