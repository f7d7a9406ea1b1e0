import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as adapter from '../src/adapter.js';
import * as root from '../src/index.js';
import * as node from '../src/node.js';

const coreDir = fileURLToPath(new URL('..', import.meta.url));
const indexFile = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** A link to a specification: an RFC or Internet-Draft, an OpenID or IANA page. */
const SPEC_LINK =
  /https:\/\/(www\.rfc-editor\.org\/rfc\/|datatracker\.ietf\.org\/doc\/|openid\.net\/specs\/|www\.iana\.org\/assignments\/)/;

/** Every root export of `@client-auth/core` with the `@example` and `@see` tags of its declaration. */
function rootExportDocs(): { name: string; example: boolean; see: string[] }[] {
  const program = ts.createProgram([indexFile], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('index.ts did not load');
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const tags = symbol.getJsDocTags(checker);
    return {
      name: exported.name,
      example: tags.some((tag) => tag.name === 'example'),
      see: tags.filter((tag) => tag.name === 'see').map((tag) => ts.displayPartsToString(tag.text)),
    };
  });
}

describe('the public surface of @client-auth/core', () => {
  it('documents every root export with an @example and a specification @see (TSDoc, as oauth4webapi does)', () => {
    const docs = rootExportDocs();
    expect(docs.length).toBeGreaterThan(50);
    const undocumented = docs
      .filter((doc) => !doc.example || !doc.see.some((see) => SPEC_LINK.test(see)))
      .map((doc) => doc.name);
    expect(undocumented).toEqual([]);
  }, 60_000);

  it('keeps adapter plumbing out of the root export: /adapter and /node hold it (DESIGN.md §2)', () => {
    const plumbing = [
      'normalizeAdapterOptions',
      'parseForm',
      'parseFormBody',
      'formFromParsedBody',
      'formToObject',
      'encodeFormComponent',
      'decodeFormComponent',
      'isFormContentType',
      'DEFAULT_BODY_LIMIT',
      'DEFAULT_BODY_TIMEOUT',
    ];
    expect(plumbing.filter((name) => name in root)).toEqual([]);
    expect(plumbing.filter((name) => !(name in adapter))).toEqual([]);
    const builders = ['fromNodeRequest', 'readBody', 'nodeHeaders', 'queryParameters', 'socketCertificate'];
    expect(builders.filter((name) => name in root)).toEqual([]);
    expect(builders.filter((name) => !(name in node))).toEqual([]);
  });

  it('maps each package.json export to its source, declarations and build, as ./node; publishes them without the source condition', () => {
    const { exports, publishConfig } = JSON.parse(readFileSync(`${coreDir}/package.json`, 'utf8')) as {
      exports: Record<string, { source: string; types: string; default: string } | string>;
      publishConfig: { exports: Record<string, { types: string; default: string } | string> };
    };
    expect(Object.keys(exports).sort()).toEqual(['.', './adapter', './node', './opentelemetry', './package.json']);
    expect(exports['./package.json']).toBe('./package.json');
    // pnpm replaces exports by publishConfig.exports when it packs: the same map minus "source".
    expect(Object.keys(publishConfig.exports).sort()).toEqual(Object.keys(exports).sort());
    expect(publishConfig.exports['./package.json']).toBe('./package.json');
    for (const [subpath, target] of Object.entries(exports)) {
      if (subpath === './package.json') continue;
      const stem = subpath === '.' ? 'index' : subpath.slice(2);
      expect(target, subpath).toEqual({
        source: `./src/${stem}.ts`,
        types: `./dist/${stem}.d.ts`,
        default: `./dist/${stem}.js`,
      });
      expect(publishConfig.exports[subpath], subpath).toEqual({
        types: `./dist/${stem}.d.ts`,
        default: `./dist/${stem}.js`,
      });
      expect(existsSync(`${coreDir}/${(target as { source: string }).source}`), subpath).toBe(true);
    }
  });
});
