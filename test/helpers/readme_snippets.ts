/**
 * The code a README shows, read from its markdown as a user copies it. A snippet meant to be
 * pasted and run is marked by an HTML comment (invisible on GitHub and npm) right before its
 * fenced block:
 *
 *     <!-- consumer-test: <file name> <kind> [needs…] -->
 *
 * `kind` is `module` (type-checked only: imported by the others), `server` (type-checked, run with
 * PORT set, then sent the `// curl …` line it prints) or `program` (type-checked, run to its end;
 * each `console.log(…); // <expected>` comment says what that line prints). `needs` names the
 * environment a run requires (`REDIS_URL`).
 */

export type SnippetKind = 'module' | 'server' | 'program';

export interface Snippet {
  file: string;
  kind: SnippetKind;
  needs: string[];
  /** The block's text, verbatim. */
  code: string;
}

const MARKER =
  /<!-- consumer-test: (\S+) (module|server|program)((?: [A-Z_]+)*) -->\s*\n```(?:ts|typescript)\n([\s\S]*?)\n```/g;

/** Every marked snippet of a README, in order. */
export function markedSnippets(markdown: string): Snippet[] {
  return [...markdown.matchAll(MARKER)].map(([, file, kind, needs, code]) => ({
    file: file as string,
    kind: kind as SnippetKind,
    needs: (needs ?? '').split(' ').filter(Boolean),
    code: `${code}\n`,
  }));
}

/** The package names the README's `sh` blocks install (`npm i …`, `-D` included). */
export function installedPackages(markdown: string): Set<string> {
  const lines = [...markdown.matchAll(/```sh\n([\s\S]*?)\n```/g)].flatMap(([, block]) => (block ?? '').split('\n'));
  const names = new Set<string>();
  for (const line of lines) {
    for (const command of line.replace(/#.*$/, '').split('&&')) {
      const words = command.trim().split(/\s+/);
      if (words[0] !== 'npm' || !['i', 'install', 'add'].includes(words[1] ?? '')) continue;
      for (const word of words.slice(2)) if (!word.startsWith('-')) names.add(word);
    }
  }
  return names;
}

/** The npm packages a snippet imports (bare specifiers, reduced to the package name). */
export function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map(
    ([, specifier]) => specifier as string,
  );
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** The `// curl …` lines of a snippet, split into arguments as a POSIX shell would (quotes removed). */
export function curlCommands(code: string): string[][] {
  return [...code.matchAll(/^\/\/ (curl .*)$/gm)].map(([, line]) =>
    [...(line as string).matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
      ([, single, double, bare]) => single ?? double ?? bare ?? '',
    ),
  );
}

/**
 * What a program snippet says it prints: the comment after each `console.log(…);`, up to a
 * colon that starts its explanation (`// true: first use` → `true`).
 */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/^\s*console\.log\(.*\);\s*\/\/ (.*)$/gm)].map(
    ([, comment]) => (comment as string).split(':')[0]?.trim() ?? '',
  );
}
