/**
 * Compatibility re-export for the issue-14 merge: the proxy code now lives in `proxy/`. Delete
 * this file once `authenticator.ts` imports `resolveCertificate` from `proxy/certificate_source.ts`.
 */
export { resolveCertificate } from './proxy/certificate_source.js';
