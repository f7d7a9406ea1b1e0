/**
 * The RFC 5280 path validator behind `trustAnchors` (src/x509/path_validation.ts): PKI.js plus the
 * checks it lacks. One certificate per rule, made per run under the test root CA.
 */
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CustomCa,
  createTestPki,
  EKU,
  type Issued,
  issueCustom,
  KeyUsageFlags,
  type Signer,
  type TestPki,
} from '../../../test/helpers/pki.js';
import { createRuleCases, type RuleCase } from '../../../test/helpers/pki-rules.js';
import { createPathValidator, type PathValidator } from '../src/x509/path_validation.js';

let pki: TestPki;
let cases: RuleCase[];
let validator: PathValidator;

beforeAll(async () => {
  pki = await createTestPki();
  cases = await createRuleCases(pki);
  validator = createPathValidator([pki.ca.x509]);
});

const ders = (chain: readonly Issued[]) => chain.map((link) => link.der);
const validate = (leaf: Issued, chain: readonly Issued[] = [], anchors?: PathValidator) =>
  (anchors ?? validator).validate(leaf.der, ders(chain), Date.now());
const ca = (cn: string, issuer: Signer, extra: Partial<Parameters<typeof issueCustom>[0]> = {}) =>
  issueCustom({ subject: [['CN', cn]], issuer, ca: true, ...extra });
const leafUnder = (issuer: Signer, dns: string, extra: Partial<Parameters<typeof issueCustom>[0]> = {}) =>
  issueCustom({ subject: [['CN', dns]], issuer, san: { dns: [dns] }, ...extra });

describe('path validation to the configured trust anchors (RFC 5280 §6.1, RFC 8705 §2.1)', () => {
  it('gives each rule of the case table its code, and accepts the in-tree controls', async () => {
    for (const { name, leaf, chain, code } of cases) {
      expect(await validate(leaf, chain), name).toBe(code);
    }
  });

  it('accepts a leaf issued by the anchor, and one through an intermediate sent in any order', async () => {
    expect(await validate(pki.leaves.subjectDn)).toBeUndefined();
    const top = await ca('top', pki.ca);
    const middle = await ca('middle', top);
    const leaf = await leafUnder(middle, 'deep.example.com');
    expect(await validate(leaf, [top, middle])).toBeUndefined();
  });

  it('accepts a TLS chain that ends with the anchor itself (what Node reports for socket.authorized)', async () => {
    expect(await validate(pki.leaves.viaIntermediate, [pki.intermediate, pki.ca])).toBeUndefined();
  });

  it('refuses a chain to another CA, a missing intermediate, and an expired leaf (RFC 5280 §6.1.3(a))', async () => {
    expect(await validate(pki.leaves.untrusted)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    expect(await validate(pki.leaves.viaIntermediate)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    expect(await validate(pki.leaves.expired)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    expect(await validate(pki.leaves.notYetValid)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
  });

  it('refuses an intermediate that is not a CA, or a CA without keyCertSign (RFC 5280 §6.1.4(k), (n))', async () => {
    const notCa = await issueCustom({ subject: [['CN', 'not a CA']], issuer: pki.ca, ca: false, eku: [] });
    expect(await validate(await leafUnder(notCa as CustomCa, 'a.example.com'), [notCa])).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
    const noCertSign = await ca('no keyCertSign', pki.ca, { keyUsage: KeyUsageFlags.cRLSign });
    expect(await validate(await leafUnder(noCertSign, 'b.example.com'), [noCertSign])).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
  });

  it('treats garbage in the chain as absent and a garbage leaf as unvalidated, never a throw', async () => {
    const garbage = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    expect(await validator.validate(pki.leaves.subjectDn.der, [garbage], Date.now())).toBeUndefined();
    expect(await validator.validate(garbage, [], Date.now())).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
  });
});

describe('name constraints (RFC 5280 §4.2.1.10, §6.1.4(g))', () => {
  it('applies each CA on its own: a sub-CA cannot widen what its issuer permits (permitted subtrees intersect)', async () => {
    // PKI.js unions successive permitted subtrees; RFC 5280 §6.1.4(g)(i) intersects them.
    const tenant = await ca('Tenant CA', pki.ca, { nameConstraints: { permitted: { dns: ['tenant-a.example.com'] } } });
    const widening = await ca('Widening sub-CA', tenant, {
      nameConstraints: { permitted: { dns: ['victim.example.com'] } },
    });
    expect(await validate(await leafUnder(widening, 'victim.example.com'), [widening, tenant])).toBe(
      'ERR_MTLS_NAME_CONSTRAINTS',
    );
    expect(await validate(await leafUnder(widening, 'x.tenant-a.example.com'), [widening, tenant])).toBe(
      'ERR_MTLS_NAME_CONSTRAINTS',
    );
    const narrowing = await ca('Narrowing sub-CA', tenant, {
      nameConstraints: { permitted: { dns: ['app.tenant-a.example.com'] } },
    });
    expect(
      await validate(await leafUnder(narrowing, 'x.app.tenant-a.example.com'), [narrowing, tenant]),
    ).toBeUndefined();
  });

  it('refuses a name in an excluded subtree (RFC 5280 §6.1.3(b))', async () => {
    const excluding = await ca('Excluding CA', pki.ca, {
      nameConstraints: { excluded: { dns: ['victim.example.com'] } },
    });
    expect(await validate(await leafUnder(excluding, 'victim.example.com'), [excluding])).toBe(
      'ERR_MTLS_NAME_CONSTRAINTS',
    );
    expect(await validate(await leafUnder(excluding, 'other.example.com'), [excluding])).toBeUndefined();
  });

  it("honours the trust anchor's own name constraints, as OpenSSL does", async () => {
    const tenant = await ca('Tenant anchor', pki.ca, {
      nameConstraints: { permitted: { dns: ['tenant-a.example.com'] } },
    });
    const anchoredAtTenant = createPathValidator([tenant.x509]);
    expect(await validate(await leafUnder(tenant, 'victim.example.com'), [], anchoredAtTenant)).toBe(
      'ERR_MTLS_NAME_CONSTRAINTS',
    );
    expect(await validate(await leafUnder(tenant, 'ok.tenant-a.example.com'), [], anchoredAtTenant)).toBeUndefined();
  });
});

describe('the checks PKI.js lacks', () => {
  it("counts the anchor's pathLenConstraint too (RFC 5280 §6.1.4(m), as OpenSSL)", async () => {
    const pathLen0 = await ca('pathLen 0 anchor', pki.ca, { pathLength: 0 });
    const sub = await ca('sub', pathLen0);
    const anchored = createPathValidator([pathLen0.x509]);
    expect(await validate(await leafUnder(sub, 'p.example.com'), [sub], anchored)).toBe('ERR_MTLS_PATH_LENGTH');
    expect(await validate(await leafUnder(pathLen0, 'q.example.com'), [], anchored)).toBeUndefined();
  });

  it('needs clientAuth in the leaf EKU, anyExtendedKeyUsage alone is not enough (RFC 5280 §4.2.1.12)', async () => {
    expect(await validate(pki.leaves.serverOnly)).toBe('ERR_MTLS_KEY_USAGE');
    expect(await validate(await leafUnder(pki.ca, 'any.example.com', { eku: [EKU.any] }))).toBe('ERR_MTLS_KEY_USAGE');
    expect(await validate(await leafUnder(pki.ca, 'both.example.com', { eku: [EKU.serverAuth, EKU.clientAuth] }))).toBe(
      undefined,
    );
  });

  it('needs digitalSignature in the leaf keyUsage when present (RFC 8446 §4.4.2.2)', async () => {
    const leaf = await leafUnder(pki.ca, 'ku.example.com', { keyUsage: KeyUsageFlags.keyEncipherment });
    expect(await validate(leaf)).toBe('ERR_MTLS_KEY_USAGE');
  });

  it('lets an intermediate with anyExtendedKeyUsage issue client certificates (EKU chaining)', async () => {
    const anyCa = await ca('any EKU CA', pki.ca, { eku: [EKU.any] });
    expect(await validate(await leafUnder(anyCa, 'via-any.example.com'), [anyCa])).toBeUndefined();
  });

  it('refuses a SHA-1 signature on an intermediate too', async () => {
    const sha1Ca = await ca('SHA-1 signed CA', pki.ca, { hash: 'SHA-1' });
    expect(await validate(await leafUnder(sha1Ca, 's.example.com'), [sha1Ca])).toBe('ERR_MTLS_WEAK_SIGNATURE');
  });
});

describe('state', () => {
  it('validates concurrent chains on one validator independently (real concurrency)', async () => {
    const verdicts = await Promise.all(
      cases.flatMap((rule) => [validate(rule.leaf, rule.chain), validate(rule.leaf, rule.chain)]),
    );
    expect(verdicts).toEqual(cases.flatMap((rule) => [rule.code, rule.code]));
  });

  it("uses the validator's own crypto engine, not PKI.js's global one", async () => {
    const saved = pkijs.getEngine();
    pkijs.setEngine('none', null as never);
    try {
      expect(await validate(pki.leaves.subjectDn)).toBeUndefined();
      const violation = cases.find((rule) => rule.name === 'nc-dns') as RuleCase;
      expect(await validate(violation.leaf, violation.chain)).toBe('ERR_MTLS_NAME_CONSTRAINTS');
    } finally {
      pkijs.setEngine(saved.name, saved.crypto as never);
    }
  });
});
