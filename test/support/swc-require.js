// Lets a test spawn the CLI from its TypeScript sources (`node -r ./test/support/swc-require.js
// services/cli.ts ...`), compiled on the fly by the same swc the tests use, without a build.
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
