// The test suites import several major versions of a framework through npm aliases
// (express4, express5, koa2, koa3); they share the types of the current major.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
declare module 'koa3' {
  import Koa = require('koa');
  export = Koa;
}
