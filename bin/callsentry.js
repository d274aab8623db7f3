#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'services', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('callsentry is not built yet: run `npm run build` (or `npm run setup`) in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
const { main } = require(cli);
// the reader of a pipe went away (`callsentry findings list | head`): nothing more can be said
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode || 0);
    throw err;
  });
}
const { processIo } = require(path.join(__dirname, '..', 'dist', 'services', 'commands', 'io.js'));
const io = processIo();
// a finished command ends the process, but only once stdout and stderr have drained: a pipe
// (`callsentry generate | callsentry replay -`) still holds what was written
main(process.argv.slice(2), io).then(
  (code) => io.drained().then(() => process.exit(code)),
  (err) => {
    process.stderr.write(String((err && err.stack) || err) + '\n');
    process.exit(1);
  },
);
