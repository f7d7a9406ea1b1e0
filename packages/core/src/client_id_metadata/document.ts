/**
 * A fetched client ID metadata document, judged (CIMD §4, §5): only a 200 response counts, it is
 * JSON, its `client_id` is the URL it was fetched from, it uses no shared secret, and it passes
 * the same RFC 7591 validation as a registration, every problem reported at once. What passes is
 * the client's metadata, frozen (one object serves every request while it is cached). Sections
 * cited as "CIMD §N" are those of draft-ietf-oauth-client-id-metadata-document-02.
 */
import { validateClientMetadata } from '../client_metadata.js';
import { InvalidClient } from '../errors.js';
import type { FetchedDocument } from '../jwks/guarded_fetch.js';
import type { AuthMethod, ClientMetadata } from '../types.js';
import {
  type DocumentPolicy,
  type NormalizedClientIdMetadataDocumentOptions,
  SHARED_SECRET_METHODS,
} from './options.js';
import { ClientIdMetadataDocumentProblems, problem } from './problems.js';

/** Members that hold a shared secret (CIMD §4; `client_secrets` is this library's rotation list). */
const SECRET_MEMBERS = ['client_secret', 'client_secret_expires_at', 'client_secrets'] as const;

/**
 * CIMD §4: "application/json or a more specific content type that conforms to
 * application/<AS-defined>+json" (RFC 6838 §4.2.8 structured syntax suffix).
 */
function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/json' || (type !== undefined && /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type));
}

function refuse(
  code:
    | 'ERR_CLIENT_METADATA_DOCUMENT_STATUS'
    | 'ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON'
    | 'ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH'
    | 'ERR_CLIENT_METADATA_DOCUMENT_SECRET'
    | 'ERR_CLIENT_METADATA_DOCUMENT_INVALID',
  field: string,
  ...descriptions: string[]
): never {
  const problems = descriptions.map((description) => problem(field, description));
  throw new InvalidClient(code, { cause: new ClientIdMetadataDocumentProblems(problems) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** The parsed body: a JSON object (RFC 8259), or a refusal. */
function jsonObject(document: FetchedDocument): Record<string, unknown> {
  if (!isJsonMediaType(document.contentType)) {
    refuse(
      'ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON',
      'content-type',
      'the document must be served as application/json (CIMD §4)',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.body);
  } catch {
    refuse('ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON', 'client_id', 'the document is not JSON (CIMD §4, RFC 8259)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    refuse('ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON', 'client_id', 'the document is not a JSON object (CIMD §4)');
  }
  return parsed as Record<string, unknown>;
}

/**
 * The client metadata in the document fetched from `clientId`, or an `invalid_client` with the
 * code of the first rule it breaks (and every RFC 7591 problem, for the last one) as its cause.
 */
export function documentMetadata(
  clientId: string,
  document: FetchedDocument,
  options: NormalizedClientIdMetadataDocumentOptions,
  policy: DocumentPolicy,
): ClientMetadata {
  // CIMD §5: "A successful response MUST use the 200 OK HTTP status code"; every other status,
  // a redirect included (CIMD §5: "MUST NOT automatically follow HTTP redirects"), is an error.
  if (document.status !== 200) {
    refuse(
      'ERR_CLIENT_METADATA_DOCUMENT_STATUS',
      'client_id',
      `the document URL answered HTTP ${document.status}, not 200 (CIMD §5)`,
    );
  }
  const metadata = jsonObject(document);
  // CIMD §4: the document's client_id "MUST match the URL of the document using simple string
  // comparison" (RFC 3986 §6.2.1): no case folding, no trailing-slash or default-port leniency.
  if (metadata.client_id !== clientId) {
    refuse(
      'ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH',
      'client_id',
      'the document client_id is not the URL it was fetched from (CIMD §4)',
    );
  }
  // CIMD §4: no method "based around a shared symmetric secret", and no client_secret or
  // client_secret_expires_at. RFC 7591 §2: an absent method means client_secret_basic.
  const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  const secrets: string[] = [];
  if (typeof method === 'string' && SHARED_SECRET_METHODS.has(method)) {
    secrets.push(
      metadata.token_endpoint_auth_method === undefined
        ? 'the document names no token_endpoint_auth_method, which means client_secret_basic (RFC 7591 §2), a shared-secret method (CIMD §4)'
        : `token_endpoint_auth_method ${method} is a shared-secret method (CIMD §4)`,
    );
  }
  for (const member of SECRET_MEMBERS) {
    if (Object.hasOwn(metadata, member)) secrets.push(`the document must not contain ${member} (CIMD §4)`);
  }
  if (secrets.length > 0) refuse('ERR_CLIENT_METADATA_DOCUMENT_SECRET', 'token_endpoint_auth_method', ...secrets);
  // The same validation as a registration (RFC 7591 §2), held to what this server enables and to
  // the methods documents may use; the document's own jwks_uri only over https (CIMD §8.6).
  const { problems } = validateClientMetadata(metadata, {
    methods: [...policy.methods],
    signingAlgorithms: [...policy.signingAlgorithms],
    allowHttpJwksUri: false,
    minEcBits: policy.minEcBits,
  });
  if (
    typeof method === 'string' &&
    policy.methods.has(method as AuthMethod) &&
    !options.methods.has(method as AuthMethod)
  ) {
    problems.unshift(
      problem(
        'token_endpoint_auth_method',
        `${method} is not accepted from client ID metadata documents on this server`,
      ),
    );
  }
  if (problems.length > 0) {
    throw new InvalidClient('ERR_CLIENT_METADATA_DOCUMENT_INVALID', {
      cause: new ClientIdMetadataDocumentProblems(problems),
    });
  }
  return deepFreeze(metadata) as ClientMetadata;
}
