import { type ErrorCodeOf, InvalidClient } from '../../errors.js';

/** Refuse the assertion: `invalid_client` with the precise `code` (the wire text stays generic). */
export function refuse(code: ErrorCodeOf<'InvalidClient'>, cause?: unknown): never {
  throw new InvalidClient(code, cause === undefined ? undefined : { cause });
}
