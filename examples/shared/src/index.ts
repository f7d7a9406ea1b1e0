export { banner } from './banner.js';
export { DEMO_PRIVATE_KEY_JWT_ID, DEMO_SECRET_JWT, demoClients, demoKeyPair, RFC6749_EXAMPLE } from './clients.js';
export { type ExampleConfig, isLocalHttpIssuer, loadConfig, mtlsOrigin } from './config.js';
export {
  DEMO_SELF_SIGNED_ID,
  type DemoCertificate,
  demoCertificate,
  selfSignedCertificate,
} from './demo-certificate.js';
export { EndpointAnswers, type ExampleResponse, type FormBody } from './endpoint_answers.js';
export { createExampleServer, type ExampleServer } from './endpoints.js';
export { runExample, serveExample } from './listen.js';
export { type IssuedToken, TokenService } from './tokens.js';
