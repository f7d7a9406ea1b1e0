/**
 * `@client-auth/core/adapter`: the plumbing a framework adapter shares, kept out of the root export
 * (which holds what an authorization server author calls): the adapter options checked once at
 * setup, the option checkers they throw from (the option-name check also serves
 * `@client-auth/redis`), and the `application/x-www-form-urlencoded` helpers
 * of RFC 6749 Appendix B (parse the body keeping every value, hand the route handler the object a
 * body parser would have left). Building the neutral request from a Node.js `IncomingMessage` is
 * `@client-auth/core/node`.
 */
export {
  type AdapterErrorMode,
  type AdapterOptions,
  type AdapterOptionsInput,
  normalizeAdapterOptions,
} from './adapter_options.js';
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
export { checkFunction } from './option_checks.js';
export { checkOptionNames, optionNames } from './option_names.js';
