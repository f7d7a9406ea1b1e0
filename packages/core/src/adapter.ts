/**
 * `@client-auth/core/adapter`: the plumbing a framework adapter shares, kept out of the root export
 * (which holds what an authorization server author calls): the adapter options checked once at
 * setup, the option checkers they throw from (the option-name check also serves
 * `@client-auth/redis`), the `application/x-www-form-urlencoded` helpers of RFC 6749 Appendix B
 * (parse the body keeping every value, hand the route handler the object a body parser would have
 * left), and the neutral request from a Fetch API `Request` (`fromWebRequest()`, with its capped,
 * time-limited body reader). Building it from a Node.js `IncomingMessage` is
 * `@client-auth/core/node`.
 */
export {
  type AdapterErrorMode,
  type AdapterOptions,
  type AdapterOptionsInput,
  normalizeAdapterOptions,
} from './adapter_options.js';
export { BodyDeadline } from './body_deadline.js';
export {
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT,
  decodeFormComponent,
  encodeFormComponent,
  formFromParsedBody,
  formToObject,
  isFormContentType,
  parseForm,
  parseFormBody,
} from './form.js';
export { bodyTimedOut, bodyTooLarge, type RequestBody, type RequestSocket } from './neutral_request.js';
export { checkFunction } from './option_checks.js';
export { checkOptionNames, optionNames } from './option_names.js';
export { fromWebRequest, readWebBody, type WebRequestOptions, withBodyDeadline } from './web_request.js';
