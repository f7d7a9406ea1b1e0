/**
 * A throw-away PKI generated per test run: a trusted CA (with an intermediate), an untrusted CA,
 * a TLS server certificate for localhost, and client certificates for every RFC 8705 identifier
 * type, their near misses, expired/not-yet-valid, self-signed, RSA, EC (P-256, P-384) and Ed25519;
 * Ed448 ones on demand through the openssl CLI ({@link opensslEd448}).
 *
 * RSA certificates are made with node-forge; EC and Ed25519 ones with @peculiar/x509 on WebCrypto
 * (node-forge cannot put a non-RSA key in a certificate), signed by the same CA keys.
 *
 * @example
 * ```ts
 * const pki = await createTestPki()
 * const { certPem, keyPem } = pki.leaves.sanDns
 * ```
 */

import { execFileSync } from 'node:child_process';
import {
  createPrivateKey,
  constants as cryptoConstants,
  generateKeyPair,
  type KeyObject,
  privateEncrypt,
  randomBytes,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import forge from 'node-forge';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;

/** A certificate with its private key. */
export interface Issued {
  certPem: string;
  keyPem: string;
  der: Uint8Array;
  x509: X509Certificate;
}

/** A CA that can issue more certificates. */
export interface TestCa extends Issued {
  name: string;
  forgeCert: forge.pki.Certificate;
  nodeKey: KeyObject;
  webKey: CryptoKey;
}

export type KeyKind = 'rsa2048' | 'rsa1024' | 'p256' | 'p384' | 'ed25519';

export interface SanSpec {
  dns?: string[];
  uri?: string[];
  ip?: string[];
  email?: string[];
}

/** What to issue. Subjects are `[type, value]` RDNs in ASN.1 order (C first, CN last). */
export interface IssueSpec {
  key?: KeyKind;
  /** RDNs in ASN.1 order; a multi-valued RDN is an array of pairs. */
  subject?: ([string, string] | [string, string][])[];
  san?: SanSpec;
  notBefore?: Date;
  notAfter?: Date;
  /** Issuing CA; `'self'` for a self-signed certificate. Default: the trusted CA. */
  issuer?: TestCa | 'self';
  /** Extended key usage: client (default), server, or both. */
  usage?: 'client' | 'server' | 'both';
  ca?: boolean;
  /** The RSA private key to certify (for example one with an unusual public exponent). */
  rsaKey?: KeyObject;
}

export interface TestPki {
  ca: TestCa;
  intermediate: TestCa;
  untrustedCa: TestCa;
  server: Issued;
  leaves: Record<LeafName, Issued>;
  issue(spec: IssueSpec): Promise<Issued>;
  /** A further CA (an intermediate when `issuer` is given), optionally with a chosen RSA key. */
  createCa(name: string, options?: { issuer?: TestCa; rsaKey?: KeyObject }): Promise<TestCa>;
  /** Write PEM files (`<name>.crt`, `<name>.key`) into a fresh temporary directory; returns paths. */
  writeFiles(): PkiFiles;
}

export interface PkiFiles {
  dir: string;
  caCert: string;
  untrustedCaCert: string;
  serverCert: string;
  serverKey: string;
  cert(name: LeafName): string;
  key(name: LeafName): string;
}

export type LeafName =
  | 'subjectDn'
  | 'multiValuedRdn'
  | 'escapedDn'
  | 'sanDns'
  | 'wildcardDns'
  | 'sanUri'
  | 'sanIp'
  | 'sanIpMapped'
  | 'sanEmail'
  | 'expired'
  | 'notYetValid'
  | 'rsa1024'
  | 'p256'
  | 'p384'
  | 'ed25519'
  | 'untrusted'
  | 'viaIntermediate'
  | 'serverOnly'
  | 'selfSignedRsa'
  | 'selfSignedP256'
  | 'selfSignedEd25519';

/** The subject of the `subjectDn` leaf, as a client registers it (RFC 4514 order). */
export const SUBJECT_DN = 'CN=client.example.com,OU=Payments,O=Example Corp,C=US';

const SHORT: Record<string, string> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  E: '1.2.840.113549.1.9.1',
  serialNumber: '2.5.4.5',
};

const HOUR = 3600_000;

function toPem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function serial(): string {
  // A positive serial: first octet below 0x80.
  return `1${randomBytes(15).toString('hex')}`;
}

function issued(certPem: string, keyPem: string): Issued {
  const cert = new X509Certificate(certPem);
  return { certPem, keyPem, der: new Uint8Array(cert.raw), x509: cert };
}

async function webSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = forge.asn1
    .toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(forge.pki.privateKeyFromPem(keyPem))))
    .getBytes();
  return webcrypto.subtle.importKey(
    'pkcs8',
    Buffer.from(der, 'binary'),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  ) as Promise<CryptoKey>;
}

interface RsaKey {
  node: KeyObject;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
}

/** Native RSA key generation (in parallel on the thread pool), handed to forge. */
async function rsaKey(bits: number): Promise<RsaKey> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: bits });
  return forgeRsaKey(privateKey);
}

function forgeRsaKey(privateKey: KeyObject): RsaKey {
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { node: privateKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

// DER DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer with the interface forge's `certificate.sign()` calls (`sign(md)`), computing the
 * RSASSA-PKCS1-v1_5 signature natively: forge's pure-JS RSA is ~70 ms per signature.
 */
function forgeSigner(key: KeyObject): forge.pki.rsa.PrivateKey {
  return {
    sign(md: forge.md.MessageDigest) {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  } as unknown as forge.pki.rsa.PrivateKey;
}

/** A few RSA keys shared by the leaves (what is tested is the certificate, not key uniqueness). */
let keyPool: Promise<RsaKey[]> | undefined;
let keyTurn = 0;
async function pooledRsaKey(bits: number): Promise<RsaKey> {
  if (bits !== 2048) return rsaKey(bits);
  keyPool ??= Promise.all(Array.from({ length: 4 }, () => rsaKey(2048)));
  const pool = await keyPool;
  keyTurn += 1;
  return pool[keyTurn % pool.length] as RsaKey;
}

function forgeAttributes(subject: NonNullable<IssueSpec['subject']>): forge.pki.CertificateField[] {
  return subject.map((rdn) => {
    if (Array.isArray(rdn[0])) throw new Error('node-forge cannot build multi-valued RDNs: use an EC key');
    const [type, value] = rdn as [string, string];
    return { type: SHORT[type] ?? type, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as number };
  });
}

function peculiarName(subject: NonNullable<IssueSpec['subject']>): x509.JsonNameParams {
  return subject.map((rdn) => {
    const pairs = (Array.isArray(rdn[0]) ? rdn : [rdn]) as [string, string][];
    const object: Record<string, x509.JsonAttributeObject[]> = {};
    // Object values: @peculiar/x509 would otherwise re-parse a string value as a DN.
    for (const [type, value] of pairs) {
      object[SHORT[type] ?? type] = [type === 'C' ? { printableString: value } : { utf8String: value }];
    }
    return object;
  });
}

function forgeSan(san: SanSpec): { type: number; value?: string; ip?: string }[] {
  return [
    ...(san.email ?? []).map((value) => ({ type: 1, value })),
    ...(san.dns ?? []).map((value) => ({ type: 2, value })),
    ...(san.uri ?? []).map((value) => ({ type: 6, value })),
    ...(san.ip ?? []).map((ip) => ({ type: 7, ip })),
  ];
}

function peculiarSan(san: SanSpec): x509.JsonGeneralNames {
  return [
    ...(san.email ?? []).map((value) => ({ type: 'email' as const, value })),
    ...(san.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(san.uri ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(san.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
}

const USAGES = {
  client: { clientAuth: true },
  server: { serverAuth: true },
  both: { clientAuth: true, serverAuth: true },
} as const;

async function issueRsa(spec: IssueSpec, fallbackIssuer: TestCa, key?: RsaKey): Promise<Issued> {
  const keys =
    key ??
    (spec.rsaKey !== undefined ? forgeRsaKey(spec.rsaKey) : await pooledRsaKey(spec.key === 'rsa1024' ? 1024 : 2048));
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = spec.notBefore ?? new Date(Date.now() - HOUR);
  cert.validity.notAfter = spec.notAfter ?? new Date(Date.now() + 24 * HOUR);
  const subject = forgeAttributes(spec.subject ?? [['CN', 'test']]);
  cert.setSubject(subject);
  const issuer = spec.issuer ?? fallbackIssuer;
  cert.setIssuer(issuer === 'self' ? subject : issuer.forgeCert.subject.attributes);
  const extensions: Record<string, unknown>[] = [
    { name: 'basicConstraints', cA: spec.ca === true, critical: true },
    spec.ca === true
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (spec.ca !== true) extensions.push({ name: 'extKeyUsage', ...USAGES[spec.usage ?? 'client'] });
  if (issuer !== 'self') {
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuer.forgeCert.generateSubjectKeyIdentifier().getBytes(),
    });
  }
  if (spec.san !== undefined) extensions.push({ name: 'subjectAltName', altNames: forgeSan(spec.san) });
  cert.setExtensions(extensions);
  cert.sign(forgeSigner(issuer === 'self' ? keys.node : issuer.nodeKey), forge.md.sha256.create());
  return issued(forge.pki.certificateToPem(cert), keys.pem);
}

async function issueWebCrypto(spec: IssueSpec, fallbackIssuer: TestCa): Promise<Issued> {
  const algorithm =
    spec.key === 'ed25519'
      ? { name: 'Ed25519' }
      : { name: 'ECDSA', namedCurve: spec.key === 'p384' ? 'P-384' : 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const issuer = spec.issuer ?? fallbackIssuer;
  const subject = new x509.Name(peculiarName(spec.subject ?? [['CN', 'test']]));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      spec.usage === 'server'
        ? [x509.ExtendedKeyUsage.serverAuth]
        : spec.usage === 'both'
          ? [x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]
          : [x509.ExtendedKeyUsage.clientAuth],
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (spec.san !== undefined) extensions.push(new x509.SubjectAlternativeNameExtension(peculiarSan(spec.san)));
  const base = {
    serialNumber: serial(),
    notBefore: spec.notBefore ?? new Date(Date.now() - HOUR),
    notAfter: spec.notAfter ?? new Date(Date.now() + 24 * HOUR),
    extensions,
  };
  let cert: x509.X509Certificate;
  if (issuer === 'self') {
    const signingAlgorithm = spec.key === 'ed25519' ? algorithm : { ...algorithm, hash: 'SHA-256' };
    cert = await x509.X509CertificateGenerator.createSelfSigned({ ...base, name: subject, keys, signingAlgorithm });
  } else {
    const issuerCert = new x509.X509Certificate(issuer.certPem);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert));
    cert = await x509.X509CertificateGenerator.create({
      ...base,
      subject,
      issuer: issuerCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: issuer.webKey,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    });
  }
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return issued(cert.toString('pem'), toPem('PRIVATE KEY', pkcs8));
}

async function createCa(name: string, issuer?: TestCa, rsaKeyObject?: KeyObject): Promise<TestCa> {
  const spec: IssueSpec = {
    key: 'rsa2048',
    subject: [
      ['O', 'client-auth tests'],
      ['CN', name],
    ],
    ca: true,
    notAfter: new Date(Date.now() + 48 * HOUR),
    notBefore: new Date(Date.now() - 2 * HOUR),
  };
  // Self-signed unless an issuer is given (an intermediate). Each CA has its own key.
  const key = rsaKeyObject === undefined ? await rsaKey(2048) : forgeRsaKey(rsaKeyObject);
  const made =
    issuer === undefined
      ? await issueRsa({ ...spec, issuer: 'self' }, undefined as never, key)
      : await issueRsa(spec, issuer, key);
  return {
    ...made,
    name,
    forgeCert: forge.pki.certificateFromPem(made.certPem),
    nodeKey: key.node,
    webKey: await webSigningKey(made.keyPem),
  };
}

/** Generate the whole test PKI. Takes well under a second with native key generation. */
export async function createTestPki(): Promise<TestPki> {
  const [ca, untrustedCa] = await Promise.all([createCa('Test Root CA'), createCa('Untrusted CA'), pooledRsaKey(2048)]);
  const intermediate = await createCa('Test Intermediate CA', ca);
  const issue = (spec: IssueSpec): Promise<Issued> =>
    spec.key === 'p256' || spec.key === 'p384' || spec.key === 'ed25519'
      ? issueWebCrypto(spec, ca)
      : issueRsa(spec, ca);

  const dnSubject: IssueSpec['subject'] = [
    ['C', 'US'],
    ['O', 'Example Corp'],
    ['OU', 'Payments'],
    ['CN', 'client.example.com'],
  ];
  const server = await issue({
    subject: [['CN', 'localhost']],
    san: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] },
    usage: 'server',
  });
  const leaves: Record<LeafName, Issued> = {
    subjectDn: await issue({ subject: dnSubject }),
    multiValuedRdn: await issue({
      key: 'p256',
      subject: [
        ['C', 'US'],
        ['O', 'Example Corp'],
        [
          ['OU', 'Sales'],
          ['CN', 'J. Smith'],
        ],
      ],
    }),
    escapedDn: await issue({
      key: 'p256',
      subject: [
        ['C', 'GB'],
        ['O', 'Example, Inc.'],
        ['CN', 'James "Jim" Smith+Lučić <#1>'],
      ],
    }),
    sanDns: await issue({ subject: [['CN', 'dns client']], san: { dns: ['client.example.com'] } }),
    wildcardDns: await issue({ subject: [['CN', 'wildcard client']], san: { dns: ['*.example.com'] } }),
    sanUri: await issue({ subject: [['CN', 'uri client']], san: { uri: ['https://client.example.com/app'] } }),
    sanIp: await issue({ subject: [['CN', 'ip client']], san: { ip: ['192.0.2.10', '2001:db8::10'] } }),
    // ::ffff:192.0.2.10, written in the form node-forge parses
    sanIpMapped: await issue({ subject: [['CN', 'mapped ip client']], san: { ip: ['::ffff:c000:20a'] } }),
    sanEmail: await issue({ subject: [['CN', 'email client']], san: { email: ['client@Example.COM'] } }),
    expired: await issue({
      subject: dnSubject,
      notBefore: new Date(Date.now() - 48 * HOUR),
      notAfter: new Date(Date.now() - 24 * HOUR),
    }),
    notYetValid: await issue({
      subject: dnSubject,
      notBefore: new Date(Date.now() + 24 * HOUR),
      notAfter: new Date(Date.now() + 48 * HOUR),
    }),
    rsa1024: await issue({ key: 'rsa1024', subject: dnSubject }),
    p256: await issue({ key: 'p256', subject: dnSubject, san: { dns: ['p256.example.com'] } }),
    p384: await issue({ key: 'p384', subject: dnSubject, san: { dns: ['p384.example.com'] } }),
    ed25519: await issue({ key: 'ed25519', subject: dnSubject, san: { dns: ['ed25519.example.com'] } }),
    untrusted: await issue({ subject: dnSubject, issuer: untrustedCa, san: { dns: ['client.example.com'] } }),
    viaIntermediate: await issue({ subject: dnSubject, issuer: intermediate }),
    serverOnly: await issue({ subject: dnSubject, usage: 'server' }),
    selfSignedRsa: await issue({ subject: [['CN', 'self-signed rsa']], issuer: 'self' }),
    selfSignedP256: await issue({ key: 'p256', subject: [['CN', 'self-signed p256']], issuer: 'self' }),
    selfSignedEd25519: await issue({ key: 'ed25519', subject: [['CN', 'self-signed ed25519']], issuer: 'self' }),
  };

  return {
    ca,
    intermediate,
    untrustedCa,
    server,
    leaves,
    issue,
    createCa: (name, options = {}) => createCa(name, options.issuer, options.rsaKey),
    writeFiles() {
      const dir = mkdtempSync(join(tmpdir(), 'client-auth-pki-'));
      const write = (name: string, text: string) => {
        const path = join(dir, name);
        writeFileSync(path, text, { mode: 0o600 });
        return path;
      };
      const paths = new Map<string, string>();
      for (const [name, leaf] of Object.entries(leaves)) {
        // A leaf under the intermediate is sent with its chain.
        const chain = name === 'viaIntermediate' ? leaf.certPem + intermediate.certPem : leaf.certPem;
        paths.set(`${name}.crt`, write(`${name}.crt`, chain));
        paths.set(`${name}.key`, write(`${name}.key`, leaf.keyPem));
      }
      return {
        dir,
        caCert: write('ca.crt', ca.certPem),
        untrustedCaCert: write('untrusted-ca.crt', untrustedCa.certPem),
        serverCert: write('server.crt', server.certPem),
        serverKey: write('server.key', server.keyPem),
        cert: (name) => paths.get(`${name}.crt`) as string,
        key: (name) => paths.get(`${name}.key`) as string,
      };
    },
  };
}

// ── Certificates that RFC 5280 path validation must refuse (and their in-tree controls) ─────────

/** Anything that can sign a certificate made by {@link issueCustom}: a {@link TestCa} or a {@link CustomCa}. */
export interface Signer extends Issued {
  name: string;
  /** WebCrypto signing key (RSASSA-PKCS1-v1_5/SHA-256 for RSA CAs, ECDSA for EC CAs). */
  webKey: CryptoKey;
  nodeKey: KeyObject;
}

/** A CA made by {@link issueCustom} (EC P-256 key). */
export type CustomCa = Signer;

/** RFC 5280 §4.2.1.10 subtrees, by name form. */
export interface NameSubtrees {
  /** dNSName constraints (`tenant-a.example.com`: that host and every name under it). */
  dns?: string[];
  /** rfc822Name constraints (a domain: every mailbox at that host). */
  email?: string[];
  /** directoryName constraints, RDNs in ASN.1 order like {@link IssueSpec.subject}. */
  dn?: NonNullable<IssueSpec['subject']>[];
}

/** What {@link issueCustom} makes: every field is an RFC 5280 knob path validation must honour. */
export interface CustomSpec {
  subject: NonNullable<IssueSpec['subject']>;
  san?: SanSpec;
  issuer: Signer;
  /** A CA certificate (basicConstraints cA, keyUsage keyCertSign + cRLSign). */
  ca?: boolean;
  /** basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9); CAs only. */
  pathLength?: number;
  /** extKeyUsage OIDs (RFC 5280 §4.2.1.12). Default: clientAuth on a leaf, no extension on a CA. */
  eku?: string[];
  /** nameConstraints (RFC 5280 §4.2.1.10), critical as §4.2.1.10 requires. */
  nameConstraints?: { permitted?: NameSubtrees; excluded?: NameSubtrees };
  /** keyUsage flags (`x509.KeyUsageFlags`). Default keyCertSign + cRLSign on a CA, digitalSignature on a leaf. */
  keyUsage?: number;
  /** OIDs of extensions nobody recognises, added as critical (RFC 5280 §4.2). */
  unknownCritical?: string[];
  /** Signature hash. Default SHA-256; SHA-1 only from an RSA signer. */
  hash?: 'SHA-256' | 'SHA-1';
}

/** keyUsage flags for {@link CustomSpec.keyUsage}. */
export const KeyUsageFlags = x509.KeyUsageFlags;

/** `1.3.6.1.5.5.7.3.2` id-kp-clientAuth, `…3.1` serverAuth, `2.5.29.37.0` anyExtendedKeyUsage. */
export const EKU = { clientAuth: '1.3.6.1.5.5.7.3.2', serverAuth: '1.3.6.1.5.5.7.3.1', any: '2.5.29.37.0' } as const;

function nameDer(subject: NonNullable<IssueSpec['subject']>): ArrayBuffer {
  return new x509.Name(peculiarName(subject)).toArrayBuffer();
}

/** DER of a NameConstraints value (RFC 5280 §4.2.1.10), built with forge's ASN.1 writer. */
function nameConstraintsDer(constraints: NonNullable<CustomSpec['nameConstraints']>): ArrayBuffer {
  const { asn1 } = forge;
  const subtrees = (tag: number, trees: NameSubtrees) => {
    const bases = [
      // GeneralName: rfc822Name [1] and dNSName [2] IA5String IMPLICIT, directoryName [4] EXPLICIT
      ...(trees.email ?? []).map((value) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, false, value)),
      ...(trees.dns ?? []).map((value) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, value)),
      ...(trees.dn ?? []).map((name) =>
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [
          asn1.fromDer(Buffer.from(nameDer(name)).toString('binary')),
        ]),
      ),
    ];
    const generalSubtrees = bases.map((base) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base]));
    return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, generalSubtrees);
  };
  const parts = [];
  if (constraints.permitted !== undefined) parts.push(subtrees(0, constraints.permitted));
  if (constraints.excluded !== undefined) parts.push(subtrees(1, constraints.excluded));
  const der = asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts)).getBytes();
  return new Uint8Array(Buffer.from(der, 'binary')).buffer;
}

async function signingKey(signer: Signer, hash: 'SHA-256' | 'SHA-1'): Promise<CryptoKey> {
  if (hash === 'SHA-256' || signer.webKey.algorithm.name !== 'RSASSA-PKCS1-v1_5') return signer.webKey;
  const pkcs8 = signer.nodeKey.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, [
    'sign',
  ]) as Promise<CryptoKey>;
}

/**
 * Issue a certificate (an EC P-256 leaf or CA) with the RFC 5280 extensions of `spec`, signed by
 * `spec.issuer`. CAs get a `webKey`/`nodeKey` of their own and can sign further certificates.
 */
export async function issueCustom(spec: CustomSpec): Promise<CustomCa> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const issuerCert = new x509.X509Certificate(spec.issuer.certPem);
  const ca = spec.ca === true;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, ca ? spec.pathLength : undefined, true),
    new x509.KeyUsagesExtension(
      spec.keyUsage ??
        (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature),
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuerCert),
  ];
  const eku = spec.eku ?? (ca ? undefined : [EKU.clientAuth]);
  if (eku !== undefined) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  if (spec.san !== undefined) extensions.push(new x509.SubjectAlternativeNameExtension(peculiarSan(spec.san)));
  if (spec.nameConstraints !== undefined) {
    extensions.push(new x509.Extension('2.5.29.30', true, nameConstraintsDer(spec.nameConstraints)));
  }
  for (const oid of spec.unknownCritical ?? []) {
    // The value is an ASN.1 NULL: what it says does not matter, only that nobody recognises it.
    extensions.push(new x509.Extension(oid, true, new Uint8Array([0x05, 0x00])));
  }
  const hash = spec.hash ?? 'SHA-256';
  const signer = await signingKey(spec.issuer, hash);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: new x509.Name(peculiarName(spec.subject)),
    issuer: issuerCert.subjectName,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
    publicKey: keys.publicKey,
    signingKey: signer,
    signingAlgorithm: signer.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5', hash },
    extensions,
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = toPem('PRIVATE KEY', pkcs8);
  // A trailing newline, so that PEM files of a whole chain concatenate.
  const made = issued(`${cert.toString('pem').trimEnd()}\n`, keyPem);
  return { ...made, name: made.x509.subject, webKey: keys.privateKey, nodeKey: createPrivateKey(keyPem) };
}

/**
 * An Ed448 client certificate (RFC 8410) made per run by the `openssl` CLI, since neither WebCrypto
 * through @peculiar/x509 nor node-forge can sign one: self-signed, or issued by `issuer` (a CA of
 * {@link createTestPki}) with the clientAuth extended key usage and the given dNSName. Returns the
 * certificate and key, plus their PEM file paths for curl.
 *
 * @example
 * ```ts
 * const self = opensslEd448({ subject: 'CN=self-signed ed448' })
 * ```
 */
export function opensslEd448(spec: { subject: string; issuer?: TestCa; dns?: string }): Issued & {
  certFile: string;
  keyFile: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'client-auth-ed448-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const subject = `/${spec.subject.split(',').reverse().join('/')}`;
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
    ...(spec.dns === undefined ? [] : [`subjectAltName=DNS:${spec.dns}`]),
  ];
  writeFileSync(file('ext.cnf'), `${extensions.join('\n')}\n`);
  openssl('genpkey', '-algorithm', 'ed448', '-out', file('key.pem'));
  if (spec.issuer === undefined) {
    const addext = extensions.flatMap((extension) => ['-addext', extension]);
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      file('key.pem'),
      '-subj',
      subject,
      '-days',
      '1',
      ...addext,
      '-out',
      file('cert.pem'),
    );
  } else {
    writeFileSync(file('ca.pem'), spec.issuer.certPem);
    writeFileSync(file('ca.key'), spec.issuer.keyPem, { mode: 0o600 });
    openssl('req', '-new', '-key', file('key.pem'), '-subj', subject, '-out', file('req.pem'));
    openssl(
      'x509',
      '-req',
      '-in',
      file('req.pem'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '1',
      '-sha256',
      '-extfile',
      file('ext.cnf'),
      '-out',
      file('cert.pem'),
    );
  }
  const certPem = readFileSync(file('cert.pem'), 'utf8');
  const keyPem = readFileSync(file('key.pem'), 'utf8');
  return { ...issued(certPem, keyPem), certFile: file('cert.pem'), keyFile: file('key.pem') };
}
