/**
 * The detail of a refused client ID metadata document (or of its URL) for operators: every RFC 7591
 * §3.2.2 problem found, carried as the `cause` of the refusal. The client sees only the generic
 * `invalid_client` (or `invalid_request`) description; `onFailure` receives the problems
 * (`FailureEvent.problems`). Sections cited as "CIMD §N" are those of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */
import type { ClientMetadataProblem } from '../client_metadata.js';

/**
 * The `cause` of a refused client ID metadata document or URL: what was wrong with it, every
 * RFC 7591 §3.2.2 problem at once (also in `FailureEvent.problems`). For operators only.
 *
 * @example
 * ```ts
 * const client = await auth.resolveClient(clientId).catch((err) => {
 *   if (err.cause instanceof ClientIdMetadataDocumentProblems) log.warn({ problems: err.cause.problems }, err.code)
 *   throw err
 * })
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-02#section-4
 */
export class ClientIdMetadataDocumentProblems extends Error {
  readonly problems: readonly ClientMetadataProblem[];

  constructor(problems: readonly ClientMetadataProblem[], options?: { cause?: unknown }) {
    super(
      `client ID metadata document refused: ${problems.map((entry) => entry.error_description).join('; ')}`,
      options,
    );
    this.name = 'ClientIdMetadataDocumentProblems';
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}

/** One problem in the RFC 7591 §3.2.2 form. */
export function problem(field: string, description: string): ClientMetadataProblem {
  return { error: 'invalid_client_metadata', error_description: description, field };
}

/** The problems a refusal carries, when its cause is a {@link ClientIdMetadataDocumentProblems}. */
export function problemsOf(error: { cause?: unknown }): readonly ClientMetadataProblem[] | undefined {
  return error.cause instanceof ClientIdMetadataDocumentProblems ? error.cause.problems : undefined;
}
