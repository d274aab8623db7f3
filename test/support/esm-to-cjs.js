// Jest transform for the ES-module packages under node_modules that callsentry loads (@platformatic/kafka
// and its helpers; Node itself loads them with require(esm), Jest's module system cannot): swc to
// CommonJS, with import.meta.url as the file's own URL.
'use strict';
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({ jsc: { target: 'es2022' }, module: { type: 'commonjs' } });
const withUrl = (src) => src.replace(/\bimport\.meta\.url\b/g, '("file://" + __filename)');

module.exports = {
  process: (src, filename, options) => swc.process(withUrl(src), filename, options),
  getCacheKey: (src, filename, options) => swc.getCacheKey(withUrl(src), filename, options),
};
