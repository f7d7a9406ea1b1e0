/**
 * The start-up banner: where the server listens and one ready-to-paste curl line per method of the
 * built-in demo clients.
 */

import { JWT_BEARER_ASSERTION_TYPE } from '@client-auth/core';
import { DEMO_PRIVATE_KEY_JWT_ID, DEMO_SECRET_JWT, RFC6749_EXAMPLE } from './clients.js';
import { type ExampleConfig, effectiveAudience } from './config.js';
import { DEMO_SELF_SIGNED_ID } from './demo-certificate.js';
import { redactRedisUrl } from './replay.js';

const AUDIENCE_LINE = {
  issuer: 'issuer (the issuer as sole aud, rfc7523bis; AUDIENCE=compatible also accepts endpoint URLs)',
  'issuer-string': 'issuer-string (the issuer as a plain string, FAPI 2.0)',
  compatible: 'compatible (issuer or endpoint URLs; each assertion relying on it is logged)',
} as const;

/** Where jti records live, for the banner. */
function replayStoreLine(config: ExampleConfig): string {
  const wait =
    config.redisWaitReplicas === undefined ? '' : `, each jti acknowledged by ${config.redisWaitReplicas} replica(s)`;
  if (config.redisUrl !== undefined) return `Redis at ${redactRedisUrl(config.redisUrl)}${wait}`;
  if (config.redisClusterNodes !== undefined) return `Redis Cluster via ${config.redisClusterNodes.join(',')}${wait}`;
  return 'in memory';
}

/** Lines to print once the server listens on `url`. */
export function banner(framework: string, config: ExampleConfig, url: string): string {
  const token = `${config.issuer}/token`;
  const lines = [
    `client-auth example (${framework}) listening on ${url}`,
    `issuer ${config.issuer} · clients: ${config.clientsSource}`,
    `metadata: curl ${config.issuer}/.well-known/oauth-authorization-server`,
    `replay store: ${replayStoreLine(config)}`,
    `assertion audience: ${AUDIENCE_LINE[effectiveAudience(config)]}`,
  ];
  if (config.clientIdMetadataDocuments) lines.push('client ID metadata documents: https URL client_ids are fetched');
  if (config.attestation !== undefined) {
    // draft-ietf-oauth-attestation-based-client-auth-10: the attesters, and the challenge endpoint (§6.1).
    const attesters = Object.keys(config.attestation.attesters).join(', ');
    lines.push(
      `attest_jwt_client_auth: attesters ${attesters} (${config.attestation.file}); challenges: curl -X POST ${config.issuer}/challenge`,
    );
  }
  if (config.clientsSource === 'built-in demo clients') {
    // Only the demo clients the configuration (PROFILE) kept.
    const has = (clientId: string) => config.clients.some((client) => client.client_id === clientId);
    lines.push('', `Authenticate with each method${config.profile ? ` allowed by ${config.profile}` : ''}:`);
    if (has(RFC6749_EXAMPLE.client_id)) {
      lines.push(
        '',
        '# client_secret_basic (RFC 6749 §2.3.1 example credentials)',
        `curl -u '${RFC6749_EXAMPLE.client_id}:${RFC6749_EXAMPLE.client_secret}' -d grant_type=client_credentials ${token}`,
      );
    }
    if (has('demo-post')) {
      lines.push(
        '',
        '# client_secret_post',
        `curl -d client_id=demo-post -d client_secret=demo-post-secret -d grant_type=client_credentials ${token}`,
      );
    }
    if (has('demo-public')) {
      lines.push(
        '',
        '# none (public client): no client_credentials grant for it (RFC 6749 §4.4), a pushed authorization request (RFC 9126)',
        `curl -d client_id=demo-public -d response_type=code -d redirect_uri=https://client.example/cb ${config.issuer}/par`,
      );
    }
    if (has(DEMO_SECRET_JWT.client_id)) {
      lines.push(
        '',
        '# client_secret_jwt (RFC 7523): an HS256 assertion made with the published demo secret',
        `curl -d grant_type=client_credentials -d client_assertion_type=${JWT_BEARER_ASSERTION_TYPE} \\`,
        `  -d client_assertion=$(npx --yes pnpm@10 -s --dir examples/shared assertion ${DEMO_SECRET_JWT.client_id} ${config.issuer} --secret ${DEMO_SECRET_JWT.client_secret}) ${token}`,
      );
    }
    if (config.demoPrivateKeyFile !== undefined && has(DEMO_PRIVATE_KEY_JWT_ID)) {
      lines.push(
        '',
        `# private_key_jwt (RFC 7523): an ES256 key pair was made at start; its private JWK (demo only) is in`,
        `#   ${config.demoPrivateKeyFile}`,
        `curl -d grant_type=client_credentials -d client_assertion_type=${JWT_BEARER_ASSERTION_TYPE} \\`,
        `  -d client_assertion=$(npx --yes pnpm@10 -s --dir examples/shared assertion ${DEMO_PRIVATE_KEY_JWT_ID} ${config.issuer} --key ${config.demoPrivateKeyFile}) ${token}`,
      );
    }
    if (config.mtlsOrigin !== undefined && config.tls?.ca !== undefined && has('demo-mtls')) {
      lines.push(
        '',
        '# tls_client_auth (a certificate with subject CN=demo-mtls issued by TLS_CA)',
        `curl --cacert "$TLS_CA" --cert demo-mtls.crt --key demo-mtls.key -d client_id=demo-mtls -d grant_type=client_credentials ${config.mtlsOrigin}/token`,
      );
    }
    if (config.mtlsOrigin !== undefined && config.demoCertificate !== undefined && has(DEMO_SELF_SIGNED_ID)) {
      const { certFile, keyFile } = config.demoCertificate;
      lines.push(
        '',
        '# self_signed_tls_client_auth (RFC 8705 §2.2): a self-signed EC certificate was made at start (demo only):',
        `#   ${certFile} and its key ${keyFile}`,
        `curl --cacert "$TLS_CA" --cert ${certFile} --key ${keyFile} -d client_id=${DEMO_SELF_SIGNED_ID} -d grant_type=client_credentials ${config.mtlsOrigin}/token`,
      );
    }
  }
  if (config.mtlsOrigin !== undefined) lines.push('', `mutual TLS endpoints: ${config.mtlsOrigin}/token, …`);
  if (config.certificateHeader !== undefined) {
    const { format, trustedProxies } = config.certificateHeader;
    lines.push(`client certificates from the ${format} header of ${trustedProxies.join(', ')}`);
  }
  return lines.join('\n');
}
