/**
 * `application/x-www-form-urlencoded` handling shared by every adapter (RFC 6749 Appendix B):
 * the body is recognised by its media type alone, decoded as UTF-8, and every value of a repeated
 * parameter is kept so that RFC 6749 §3.2 ("MUST NOT be included more than once") can be enforced.
 */
import { InvalidRequest } from './errors.js';
import type { FormParameters } from './types.js';

/**
 * The prototype of every parameter object: empty, frozen, itself without a prototype. A parameter
 * named `__proto__`, `constructor` or `hasOwnProperty` is then just a parameter (as with
 * `Object.create(null)`), while V8 keeps the object in fast mode: adding a property to an
 * `Object.create(null)` object costs a dictionary insertion, ~0.7 µs a parameter (bench/README.md).
 */
const NO_PROTOTYPE: object = Object.freeze(Object.create(null));

/** An empty object for parameters, without inherited members (see {@link NO_PROTOTYPE}). */
export function emptyParameters<T>(): Record<string, T> {
  return Object.create(NO_PROTOTYPE) as Record<string, T>;
}

/** Default cap on a form body read by an adapter: 64 KiB. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * Default time an adapter waits for the whole form body once the handler runs: 10 s. A body sent
 * at one octet a second would otherwise hold the request until Node's `requestTimeout` (5 min).
 */
export const DEFAULT_BODY_TIMEOUT = 10_000;

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * True when `contentType` is `application/x-www-form-urlencoded` (parameters such as
 * `charset=UTF-8` allowed; RFC 9110 §8.3.1 media types are case-insensitive).
 */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (type !== FORM_MEDIA_TYPE) return false;
  if (semicolon === -1) return true;
  // RFC 6749 Appendix B: the only character set is UTF-8.
  const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType.slice(semicolon));
  return charset === null || charset[1]?.toLowerCase() === 'utf-8';
}

/**
 * Decode one form component: `+` is a space, `%XX` an octet, and the octets are UTF-8
 * (RFC 6749 Appendix B). Returns `undefined` for a bad escape or invalid UTF-8.
 */
export function decodeFormComponent(component: string): string | undefined {
  if (component.indexOf('%') === -1 && component.indexOf('+') === -1) return component;
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Encode one form component as RFC 6749 Appendix B requires (UTF-8, then form escaping; a space
 * becomes `+`). `encodeFormComponent(' %&+£€') === '+%25%26%2B%C2%A3%E2%82%AC'`.
 */
export function encodeFormComponent(value: string): string {
  // A lone UTF-16 surrogate has no UTF-8 form: it is sent as U+FFFD, as TextEncoder does
  // (encodeURIComponent would throw a URIError; found by the fuzzer, docs/FUZZING.md).
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Parse a form-encoded string, keeping every value. A malformed escape or invalid UTF-8 is an
 * `invalid_request` (never a silently mangled credential).
 */
export function parseForm(text: string): FormParameters {
  const params: FormParameters = emptyParameters();
  if (text.length === 0) return params;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = decodeFormComponent(rawName);
    const value = decodeFormComponent(rawValue);
    if (name === undefined || value === undefined) {
      throw new InvalidRequest('ERR_BODY_MALFORMED', 'the form body has a malformed percent-encoding');
    }
    const values = params[name];
    if (values === undefined) params[name] = [value];
    else values.push(value);
  }
  return params;
}

/**
 * Parse a request body given its `Content-Type`. An empty body is no parameters; a non-empty body
 * of another media type (JSON, multipart, …) is `invalid_request` (RFC 6749 §3.2, Appendix B).
 */
export function parseFormBody(contentType: string | undefined, body: Uint8Array | string): FormParameters {
  if (body.length === 0) return emptyParameters();
  if (!isFormContentType(contentType)) {
    throw new InvalidRequest(
      'ERR_UNSUPPORTED_CONTENT_TYPE',
      'the request body must be application/x-www-form-urlencoded',
    );
  }
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = utf8.decode(body);
    } catch {
      throw new InvalidRequest('ERR_BODY_MALFORMED', 'the form body is not valid UTF-8');
    }
  }
  return parseForm(text);
}

/**
 * Convert the output of a body parser that already ran (Express `urlencoded`, Koa body parsers)
 * into {@link FormParameters}. Arrays, which such parsers make of repeated keys, are kept as
 * several values; nested objects (`qs` extended syntax) are `invalid_request`.
 */
export function formFromParsedBody(contentType: string | undefined, parsed: unknown): FormParameters {
  const params: FormParameters = emptyParameters();
  if (parsed === undefined || parsed === null) return params;
  if (typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length === 0) return params;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || !isFormContentType(contentType)) {
    throw new InvalidRequest(
      'ERR_UNSUPPORTED_CONTENT_TYPE',
      'the request body must be application/x-www-form-urlencoded',
    );
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') params[name] = [value];
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) params[name] = [...value];
    else throw new InvalidRequest('ERR_PARAMETER_MALFORMED', `the ${safeName(name)} parameter is malformed`);
  }
  return params;
}

/** Parameter names are echoed in descriptions only when short and printable. */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : 'request';
}

/**
 * The form as `express.urlencoded()` or a Koa body parser would have left it (one string per
 * name, an array for a repeated one), for the route handler after an adapter that read the body.
 */
export function formToObject(params: FormParameters): Record<string, string | string[]> {
  // No inherited members: a parameter named `__proto__` must not become the object's prototype.
  const body = emptyParameters<string | string[]>();
  for (const [name, values] of Object.entries(params))
    body[name] = values.length === 1 ? (values[0] as string) : values;
  return body;
}
