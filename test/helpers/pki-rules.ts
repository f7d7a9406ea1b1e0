/**
 * One certificate per RFC 5280 path-validation rule that `tls_client_auth` must enforce (issue 13
 * §1), each with the client it would impersonate, plus in-tree controls that must pass. Built per
 * run on top of a {@link TestPki}: every chain ends at its root CA (`pki.ca`, the `TLS_CA` of the
 * example servers), so nothing but the rule under test is wrong with any of them.
 *
 * @example
 * ```ts
 * const cases = await createRuleCases(pki)
 * for (const { leaf, chain, client, code } of cases) ...
 * ```
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientMetadata, ErrorCode } from '@client-auth/core';
import { type CustomSpec, EKU, type Issued, issueCustom, type Signer, type TestPki } from './pki.js';

/** Every rule, its title (the rule and its section) and the verdict, in the order of {@link createRuleCases}. */
export const RULES = [
  {
    name: 'in-tree',
    title: 'a name-constrained intermediate issuing an in-tree name is accepted (RFC 5280 §4.2.1.10, control)',
    code: undefined,
  },
  {
    name: 'nc-dns',
    title: 'a dNSName outside the permitted subtree is refused (RFC 5280 §4.2.1.10, §6.1.3(b))',
    code: 'ERR_MTLS_NAME_CONSTRAINTS',
  },
  {
    name: 'nc-dn',
    title: 'a subject DN outside the permitted directoryName subtree is refused (RFC 5280 §4.2.1.10, §6.1.3(b))',
    code: 'ERR_MTLS_NAME_CONSTRAINTS',
  },
  {
    name: 'nc-email',
    title: 'an rfc822Name outside the permitted subtree is refused (RFC 5280 §4.2.1.10, §6.1.3(b))',
    code: 'ERR_MTLS_NAME_CONSTRAINTS',
  },
  {
    name: 'pathlen-ok',
    title: 'a pathLenConstraint 0 CA issuing a leaf directly is accepted (RFC 5280 §4.2.1.9, control)',
    code: undefined,
  },
  {
    name: 'pathlen',
    title: 'a sub-CA under pathLenConstraint 0 is refused (RFC 5280 §4.2.1.9, §6.1.4(l-m))',
    code: 'ERR_MTLS_PATH_LENGTH',
  },
  {
    name: 'eku-ca-ok',
    title: 'an intermediate whose EKU lists clientAuth may issue client certificates (RFC 5280 §4.2.1.12, control)',
    code: undefined,
  },
  {
    name: 'eku-ca',
    title: 'an intermediate whose EKU excludes clientAuth cannot issue client certificates (RFC 5280 §4.2.1.12)',
    code: 'ERR_MTLS_KEY_USAGE',
  },
  {
    name: 'critical-leaf',
    title: 'an unrecognised critical extension in the leaf is refused (RFC 5280 §4.2)',
    code: 'ERR_MTLS_CRITICAL_EXTENSION',
  },
  {
    name: 'critical-ca',
    title: 'an unrecognised critical extension in an intermediate is refused (RFC 5280 §4.2)',
    code: 'ERR_MTLS_CRITICAL_EXTENSION',
  },
  {
    name: 'sha1',
    title: 'a SHA-1 signature is refused (RFC 6194 §3: collisions forge signatures; OpenSSL security level 1)',
    code: 'ERR_MTLS_WEAK_SIGNATURE',
  },
] as const satisfies readonly { name: string; title: string; code: ErrorCode | undefined }[];

/** The name of a rule of {@link RULES}. */
export type RuleName = (typeof RULES)[number]['name'];

/** One certificate, the chain sent with it, the client registered for it, and the verdict. */
export interface RuleCase {
  /** Short name: the client_id and the file names. */
  name: RuleName;
  /** The rule and its section, for test titles. */
  title: string;
  leaf: Issued;
  /** Intermediates sent with the leaf, nearest first (never the root). */
  chain: Issued[];
  client: ClientMetadata;
  /** The stable code of the refusal; undefined when the certificate must be accepted. */
  code: ErrorCode | undefined;
}

/** An OID under a private arc nobody implements (RFC 5280 §4.2: unrecognised). */
export const UNKNOWN_EXTENSION = '1.3.6.1.4.1.55555.1.1';

const TENANT: [string, string][] = [
  ['C', 'US'],
  ['O', 'Tenant A'],
];

function sanDns(name: string, dns: string): ClientMetadata {
  return { client_id: name, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: dns };
}

/** Build every case. Takes a few hundred milliseconds (EC P-256 keys). */
export async function createRuleCases(pki: TestPki): Promise<RuleCase[]> {
  const root = pki.ca;
  // RFC 5280 §4.2.1.10: every name form constrained at once (DNS, email, DN).
  const tenantCa = await issueCustom({
    subject: [...TENANT, ['CN', 'Tenant A CA']],
    issuer: root,
    ca: true,
    nameConstraints: { permitted: { dns: ['tenant-a.example.com'], email: ['tenant-a.example.com'], dn: [TENANT] } },
  });
  const pathLen0Ca = await issueCustom({
    subject: [['CN', 'Path length 0 CA']],
    issuer: root,
    ca: true,
    pathLength: 0,
  });
  const subCa = await issueCustom({ subject: [['CN', 'Sub CA under path length 0']], issuer: pathLen0Ca, ca: true });
  const serverOnlyCa = await issueCustom({
    subject: [['CN', 'serverAuth-only CA']],
    issuer: root,
    ca: true,
    eku: [EKU.serverAuth],
  });
  const clientAuthCa = await issueCustom({
    subject: [['CN', 'clientAuth CA']],
    issuer: root,
    ca: true,
    eku: [EKU.clientAuth],
  });
  const criticalCa = await issueCustom({
    subject: [['CN', 'CA with an unknown critical extension']],
    issuer: root,
    ca: true,
    unknownCritical: [UNKNOWN_EXTENSION],
  });

  const leaf = (subject: [string, string][], issuer: Signer, extra: Partial<CustomSpec> = {}) =>
    issueCustom({ subject, issuer, ...extra });

  const made: Omit<RuleCase, 'title' | 'code'>[] = [
    {
      name: 'in-tree',
      leaf: await leaf([...TENANT, ['CN', 'client.tenant-a.example.com']], tenantCa, {
        san: { dns: ['client.tenant-a.example.com'] },
      }),
      chain: [tenantCa],
      client: sanDns('in-tree', 'client.tenant-a.example.com'),
    },
    {
      name: 'nc-dns',
      leaf: await leaf([...TENANT, ['CN', 'victim']], tenantCa, { san: { dns: ['victim.example.com'] } }),
      chain: [tenantCa],
      client: sanDns('nc-dns', 'victim.example.com'),
    },
    {
      name: 'nc-dn',
      leaf: await leaf(
        [
          ['C', 'US'],
          ['O', 'Victim Corp'],
          ['CN', 'victim'],
        ],
        tenantCa,
      ),
      chain: [tenantCa],
      client: {
        client_id: 'nc-dn',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=victim,O=Victim Corp,C=US',
      },
    },
    {
      name: 'nc-email',
      leaf: await leaf([...TENANT, ['CN', 'mail client']], tenantCa, { san: { email: ['victim@victim.example'] } }),
      chain: [tenantCa],
      client: {
        client_id: 'nc-email',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_san_email: 'victim@victim.example',
      },
    },
    {
      name: 'pathlen-ok',
      leaf: await leaf([['CN', 'pathlen ok']], pathLen0Ca, { san: { dns: ['pathlen-ok.example.com'] } }),
      chain: [pathLen0Ca],
      client: sanDns('pathlen-ok', 'pathlen-ok.example.com'),
    },
    {
      name: 'pathlen',
      leaf: await leaf([['CN', 'pathlen victim']], subCa, { san: { dns: ['pathlen.example.com'] } }),
      chain: [subCa, pathLen0Ca],
      client: sanDns('pathlen', 'pathlen.example.com'),
    },
    {
      name: 'eku-ca-ok',
      leaf: await leaf([['CN', 'eku ok']], clientAuthCa, { san: { dns: ['eku-ok.example.com'] } }),
      chain: [clientAuthCa],
      client: sanDns('eku-ca-ok', 'eku-ok.example.com'),
    },
    {
      name: 'eku-ca',
      leaf: await leaf([['CN', 'eku victim']], serverOnlyCa, { san: { dns: ['eku.example.com'] } }),
      chain: [serverOnlyCa],
      client: sanDns('eku-ca', 'eku.example.com'),
    },
    {
      name: 'critical-leaf',
      leaf: await leaf([['CN', 'critical leaf']], root, {
        san: { dns: ['critical-leaf.example.com'] },
        unknownCritical: [UNKNOWN_EXTENSION],
      }),
      chain: [],
      client: sanDns('critical-leaf', 'critical-leaf.example.com'),
    },
    {
      name: 'critical-ca',
      leaf: await leaf([['CN', 'critical ca victim']], criticalCa, { san: { dns: ['critical-ca.example.com'] } }),
      chain: [criticalCa],
      client: sanDns('critical-ca', 'critical-ca.example.com'),
    },
    {
      name: 'sha1',
      leaf: await leaf([['CN', 'sha1 leaf']], root, { san: { dns: ['sha1.example.com'] }, hash: 'SHA-1' }),
      chain: [],
      client: sanDns('sha1', 'sha1.example.com'),
    },
  ];
  return RULES.map((rule) => ({ ...(made.find((item) => item.name === rule.name) as (typeof made)[number]), ...rule }));
}

/** Write `<name>.crt` (the leaf, then its chain) and `<name>.key` for each case into `dir`. */
export function writeRuleFiles(dir: string, cases: readonly RuleCase[]): Map<string, { cert: string; key: string }> {
  const files = new Map<string, { cert: string; key: string }>();
  for (const { name, leaf, chain } of cases) {
    const cert = join(dir, `rule-${name}.crt`);
    const key = join(dir, `rule-${name}.key`);
    writeFileSync(cert, [leaf, ...chain].map((link) => link.certPem).join(''), { mode: 0o600 });
    writeFileSync(key, leaf.keyPem, { mode: 0o600 });
    files.set(name, { cert, key });
  }
  return files;
}
