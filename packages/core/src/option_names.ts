/**
 * The one check for option names: an options object whose own key is not a documented option
 * (`propery`, `allowInsecureTransprot`) is a `TypeError` at setup, naming the key and, when it
 * looks like a typo of a known name, that name. A misspelled option is otherwise silently ignored,
 * and the default it leaves in place may be the very protection the caller meant to change
 * (DESIGN.md §2: bad options throw when the authenticator is created). Every reader of an options
 * object (the authenticator and its nested objects, the stores and limiters, the adapters) checks
 * its names here, once, when it is created; nothing of it runs per request.
 */
import { fail as failOption } from './option_checks.js';

/**
 * The names of an options type, listed as the keys of an object literal that the compiler checks
 * against the type: an option added to the interface and not here (or named here and not there)
 * is a compile error, so the list cannot fall behind the documentation.
 *
 * @example
 * ```ts
 * const NAMES = optionNames<{ timeout?: number; prefix?: string }>({ timeout: true, prefix: true })
 * ```
 */
export function optionNames<Options extends object>(names: { readonly [Name in keyof Required<Options>]: true }) {
  return Object.freeze(Object.keys(names)) as readonly string[];
}

/**
 * Throw the setup-time `TypeError` for the first own key of `options` that is not in `known`.
 *
 * @param owner - what the options belong to, as the message opens (`createClientAuthenticator()`, `jwks`)
 * @param fail - the thrower of the calling package (its messages' prefix); the core's by default
 * @example
 * ```ts
 * checkOptionNames(options, NAMES, 'redisReplayStore()')
 * // TypeError: client-auth: redisReplayStore(): unknown option 'timout' (did you mean 'timeout'?)
 * ```
 */
export function checkOptionNames(
  options: object,
  known: readonly string[],
  owner: string,
  fail: (message: string) => never = failOption,
): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const guess = nearestName(name, known);
    fail(`${owner}: unknown option '${name}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`);
  }
}

/**
 * The known name a typo most likely meant: the nearest by edit distance (case ignored; a swap of
 * two neighbours counts as one edit), if it is at most 2 edits away and the name is long enough
 * for that to mean something (a third of its length).
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(distance);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
