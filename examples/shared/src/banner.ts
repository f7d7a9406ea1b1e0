/**
 * The start-up banner: where the server listens and one ready-to-paste curl line per method of the
 * built-in demo clients.
 */

import { DEMO_PRIVATE_KEY_JWT_ID, DEMO_SECRET_JWT, RFC6749_EXAMPLE } from './clients.js';
import type { ExampleConfig } from './config.js';
import { redactRedisUrl } from './replay.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Lines to print once the server listens on `url`. */
export function banner(framework: string, config: ExampleConfig, url: string): string {
  const token = `${config.issuer}/token`;
  const lines = [
    `client-auth example (${framework}) listening on ${url}`,
    `issuer ${config.issuer} · clients: ${config.clientsSource}`,
    `metadata: curl ${config.issuer}/.well-known/oauth-authorization-server`,
    `replay store: ${config.redisUrl === undefined ? 'in memory' : `Redis at ${redactRedisUrl(config.redisUrl)}`}`,
  ];
  if (config.clientsSource === 'built-in demo clients') {
    lines.push(
      '',
      'Get a token with each method:',
      '',
      '# client_secret_basic (RFC 6749 §2.3.1 example credentials)',
      `curl -u '${RFC6749_EXAMPLE.client_id}:${RFC6749_EXAMPLE.client_secret}' -d grant_type=client_credentials ${token}`,
      '',
      '# client_secret_post',
      `curl -d client_id=demo-post -d client_secret=demo-post-secret -d grant_type=client_credentials ${token}`,
      '',
      '# none (public client)',
      `curl -d client_id=demo-public -d grant_type=client_credentials ${token}`,
      '',
      '# client_secret_jwt (RFC 7523): an HS256 assertion made with the published demo secret',
      `curl -d grant_type=client_credentials -d client_assertion_type=${ASSERTION_TYPE} \\`,
      `  -d client_assertion=$(pnpm -s --dir examples/shared assertion ${DEMO_SECRET_JWT.client_id} ${config.issuer} --secret ${DEMO_SECRET_JWT.client_secret}) ${token}`,
    );
    if (config.demoPrivateKeyFile !== undefined) {
      lines.push(
        '',
        `# private_key_jwt (RFC 7523): an ES256 key pair was made at start; its private JWK (demo only) is in`,
        `#   ${config.demoPrivateKeyFile}`,
        `curl -d grant_type=client_credentials -d client_assertion_type=${ASSERTION_TYPE} \\`,
        `  -d client_assertion=$(pnpm -s --dir examples/shared assertion ${DEMO_PRIVATE_KEY_JWT_ID} ${config.issuer} --key ${config.demoPrivateKeyFile}) ${token}`,
      );
    }
  }
  return lines.join('\n');
}
