/**
 * RFC 5280 §6 certification path validation for `tls_client_auth` against the configured trust
 * anchors (RFC 8705 §2.1, §7.2), for the certificates whose chain this process must judge itself.
 *
 * The validation is PKI.js's (`CertificateChainValidationEngine`: validity, name chaining, CA
 * basicConstraints and keyCertSign, policies, name constraints). Around it, only what PKI.js does
 * not do, each cited where it is done:
 *
 * - path building, bounded: the path is chosen here (at most {@link MAX_PATH_INTERMEDIATES} presented
 *   intermediates, {@link MAX_PATH_DEPTH} links) with every signature verified by Node's
 *   `X509Certificate.verify` (OpenSSL: RSA, RSA-PSS, ECDSA, Ed25519, Ed448), and PKI.js walks
 *   exactly that path — its own builder has no depth bound and loops on cross-signed cycles;
 * - name constraints of each CA applied on their own (PKI.js unions the permitted subtrees of
 *   successive CAs; RFC 5280 §6.1.4(g) intersects them), and those of the trust anchor too, as
 *   OpenSSL does;
 * - pathLenConstraint (RFC 5280 §4.2.1.9, §6.1.4(l–m)), which PKI.js parses but never checks;
 * - key usage for TLS client authentication: leaf EKU clientAuth, leaf keyUsage digitalSignature,
 *   no intermediate whose EKU excludes clientAuth (RFC 5280 §4.2.1.3, §4.2.1.12; RFC 8446 §4.4.2.2);
 * - unrecognised critical extensions (RFC 5280 §4.2), SHA-1 and MD5 signatures.
 *
 * No module-level mutable state: the anchors and the crypto engine belong to the validator that
 * {@link createPathValidator} returns, and the engine is passed to PKI.js on every call (its
 * global engine setting is never read or written by this module).
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import { webcrypto, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { ErrorCode } from '../errors.js';
import { rsaKeyVerdict } from '../rsa_keys.js';
import { certificateKey } from './certificate_key.js';
import { extension, type Link, OID_NAME_CONSTRAINTS, structuralFailure } from './path_rules.js';

/**
 * The codes a path can fail with. Declared here, not beside the rules (path_rules.ts), so that the
 * published declarations reach no PKI.js type: asn1js's own declarations fail a consumer's library
 * check on TypeScript before 5.9.
 */
export type PathFailure = Extract<
  ErrorCode,
  | 'ERR_MTLS_CHAIN_NOT_VALIDATED'
  | 'ERR_MTLS_NAME_CONSTRAINTS'
  | 'ERR_MTLS_PATH_LENGTH'
  | 'ERR_MTLS_KEY_USAGE'
  | 'ERR_MTLS_CRITICAL_EXTENSION'
  | 'ERR_MTLS_WEAK_SIGNATURE'
>;

/**
 * Intermediate certificates considered from a presented chain (with `trustAnchors`); the rest
 * are ignored.
 *
 * @example
 * ```ts
 * // send the client's chain without the root: at most MAX_PATH_INTERMEDIATES intermediates are used
 * const chain = intermediates.slice(0, MAX_PATH_INTERMEDIATES)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export const MAX_PATH_INTERMEDIATES = 10;
/**
 * Longest path walked from the end-entity certificate to a trust anchor, in links; a longer path
 * does not validate.
 *
 * @example
 * ```ts
 * // leaf → issuing CA → policy CA → root: 3 links, well within MAX_PATH_DEPTH
 * createClientAuthenticator({ issuer, getClient, trustAnchors: readFileSync('root-ca.pem', 'utf8') })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export const MAX_PATH_DEPTH = 8;

/** Validates presented chains against the trust anchors it was made with. */
export interface PathValidator {
  /**
   * Validate `leaf` (DER, or as Node already read it) with the presented `intermediates` (DER,
   * any order) at `now` (ms since the epoch). Resolves to undefined when a path to a trust anchor validates, else to the code of
   * the rule it breaks. Never rejects for anything the client sent.
   */
  validate(
    leaf: Uint8Array | X509Certificate,
    intermediates: readonly Uint8Array[],
    now: number,
  ): Promise<PathFailure | undefined>;
}

/**
 * False for an intermediate whose RSA key is outside the bounds of rsa_keys.ts: the request chose
 * it, and checking a signature with it would cost what the attacker chose (a 3071-bit exponent
 * makes one check over a hundred times dearer). Such a link cannot be part of an accepted path.
 */
function verifiableIssuer(certificate: X509Certificate): boolean {
  try {
    const key = certificateKey(certificate);
    return key.family !== 'rsa' || rsaKeyVerdict(key.bits, key.publicExponent, 0) === 'ok';
  } catch {
    return false;
  }
}

/** The WebCrypto type PKI.js expects (the DOM's `Crypto`, which Node's `webcrypto` implements). */
type WebCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];

/** PKI.js's reading of a certificate, kept by the validator (parsing costs ~10× Node's). */
type Parsed = Pick<Link, 'cert' | 'unconstrained'>;

/**
 * Certificates whose PKI.js reading a validator keeps (leaves and intermediates of built paths;
 * the oldest is dropped). Only certificates already chained to an anchor by signature get parsed.
 *
 * @example
 * ```ts
 * // one validator per authenticator: at most MAX_PARSED_CERTIFICATES readings kept in memory
 * createClientAuthenticator({ issuer, getClient, trustAnchors: readFileSync('client-ca.pem', 'utf8') })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export const MAX_PARSED_CERTIFICATES = 1000;

function readX509(der: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

function parse(x509: X509Certificate): Parsed {
  const cert = pkijs.Certificate.fromBER(x509.raw);
  const unconstrained = Object.assign(Object.create(Object.getPrototypeOf(cert)) as pkijs.Certificate, cert, {
    extensions: cert.extensions?.filter((extension) => extension.extnID !== OID_NAME_CONSTRAINTS),
  });
  return { cert, unconstrained };
}

/** `subject` was issued by `issuer`: names and key identifiers chain, and the signature verifies. */
function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * A path from `leaf` to an anchor through the presented CAs (RFC 4158 forward building, first
 * match): at most {@link MAX_PATH_DEPTH} links, each certificate used once.
 */
function buildPath(
  leaf: X509Certificate,
  candidates: readonly X509Certificate[],
  anchors: readonly Link[],
): { path: X509Certificate[]; anchor: Link } | undefined {
  const path = [leaf];
  const unused = new Set(candidates);
  let current = leaf;
  while (path.length <= MAX_PATH_DEPTH) {
    const anchor = anchors.find((candidate) => issuedBy(current, candidate.x509));
    if (anchor !== undefined) return { path, anchor };
    const next = [...unused].find((candidate) => candidate.ca && issuedBy(current, candidate));
    if (next === undefined) return undefined;
    unused.delete(next);
    path.push(next);
    current = next;
  }
  return undefined;
}

/**
 * One run of PKI.js on `chain` (leaf first, the certificate trusted for this run last), walking
 * exactly that chain; `constraints` are the initial permitted and excluded subtrees.
 */
function runEngine(
  chain: readonly pkijs.Certificate[],
  now: number,
  crypto: pkijs.CryptoEngine,
  constraints?: pkijs.NameConstraints,
): Promise<pkijs.CertificateChainValidationEngineVerifyResult> {
  const trusted = chain[chain.length - 1] as pkijs.Certificate;
  const issuerOf = new Map(chain.slice(0, -1).map((cert, index) => [cert, chain[index + 1] as pkijs.Certificate]));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [trusted],
    // PKI.js takes the last certificate as the end-entity one.
    certs: chain.slice(0, -1).reverse(),
    checkDate: new Date(now),
    // The path built above, every signature already verified there.
    findIssuer: async (certificate) => {
      const issuer = issuerOf.get(certificate);
      return issuer === undefined ? [] : [issuer];
    },
  });
  return engine.verify(
    {
      initialPermittedSubtreesSet: constraints?.permittedSubtrees ?? [],
      initialExcludedSubtreesSet: constraints?.excludedSubtrees ?? [],
    },
    crypto,
  );
}

/**
 * RFC 5280 §6.1.4(g): permitted subtrees intersect down the path and excluded ones accumulate, so
 * each CA's constraints (the anchor's included) must hold for every certificate below it on their
 * own. PKI.js unions successive permitted subtrees, so it gets one run per constraining CA, with
 * the constraints of the CAs below it removed (their own runs check them).
 */
async function nameConstraintsHold(
  path: readonly Link[],
  anchor: Link,
  now: number,
  crypto: pkijs.CryptoEngine,
): Promise<boolean> {
  const issuers = [...path.slice(1), anchor];
  for (const [index, issuer] of issuers.entries()) {
    const constraints = extension(issuer, OID_NAME_CONSTRAINTS)?.parsedValue;
    if (!(constraints instanceof pkijs.NameConstraints)) continue;
    const below = path.slice(0, index + 1).map((link) => link.unconstrained);
    const result = await runEngine([...below, issuer.unconstrained], now, crypto, constraints);
    if (!result.result) return false;
  }
  return true;
}

/**
 * A validator for the given trust anchors (CA certificates). Throws `TypeError` when PKI.js cannot
 * read one of them: options are checked at setup, never per request.
 *
 * @example
 * ```ts
 * const validator = createPathValidator(readPemBundle(caPem))
 * const failure = await validator.validate(leafDer, chainDers, Date.now()) // undefined: valid
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export function createPathValidator(anchors: readonly X509Certificate[]): PathValidator {
  const links = anchors.map((x509): Link => {
    try {
      return { x509, ...parse(x509) };
    } catch {
      throw new TypeError('client-auth: trustAnchors holds a certificate PKI.js cannot read');
    }
  });
  // Passed on every call: PKI.js's global engine (set when it is imported) is never relied upon.
  const crypto = new pkijs.CryptoEngine({ name: 'node:crypto', crypto: webcrypto as unknown as WebCrypto });
  // This validator's PKI.js readings, by SHA-256 fingerprint (insertion order: oldest first).
  const cache = new Map<string, Parsed>();
  const link = (x509: X509Certificate): Link | undefined => {
    let parsed = cache.get(x509.fingerprint256);
    if (parsed === undefined) {
      try {
        parsed = parse(x509);
      } catch {
        // Node reads it and PKI.js does not: not a certificate to validate anything with.
        return undefined;
      }
      if (cache.size >= MAX_PARSED_CERTIFICATES) cache.delete(cache.keys().next().value as string);
      cache.set(x509.fingerprint256, parsed);
    }
    return { x509, ...parsed };
  };
  return {
    async validate(presented, intermediates, now) {
      const leaf = presented instanceof X509Certificate ? presented : readX509(presented);
      if (leaf === undefined) return 'ERR_MTLS_CHAIN_NOT_VALIDATED';
      const candidates: X509Certificate[] = [];
      // Bounded: every candidate may cost a signature verification per link.
      for (const der of intermediates.slice(0, MAX_PATH_INTERMEDIATES)) {
        const x509 = readX509(der);
        // An unreadable link, or one too dear to verify with, cannot be part of a valid path.
        if (x509 !== undefined && verifiableIssuer(x509)) candidates.push(x509);
      }
      // Built with Node first: PKI.js reads only certificates chained to an anchor by signature.
      const built = buildPath(leaf, candidates, links);
      if (built === undefined) return 'ERR_MTLS_CHAIN_NOT_VALIDATED';
      const path: Link[] = [];
      for (const x509 of built.path) {
        const read = link(x509);
        if (read === undefined) return 'ERR_MTLS_CHAIN_NOT_VALIDATED';
        path.push(read);
      }
      const { anchor } = built;
      const failure = structuralFailure(path, anchor);
      if (failure !== undefined) return failure;
      // Validity, name chaining, CA basicConstraints and keyCertSign, policies (RFC 5280 §6.1.3–4).
      const basic = await runEngine([...path.map((item) => item.unconstrained), anchor.unconstrained], now, crypto);
      if (!basic.result) return 'ERR_MTLS_CHAIN_NOT_VALIDATED';
      if (!(await nameConstraintsHold(path, anchor, now, crypto))) return 'ERR_MTLS_NAME_CONSTRAINTS';
      return undefined;
    },
  };
}
