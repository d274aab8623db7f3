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
// `callsentry verdict` answers calls before setup: it runs with the Node flags that keep garbage
// collection from holding answers (services/verdicts/node-flags.ts), relaunched once with them.
// The relaunched process is in a process group of its own, so a terminal's Ctrl-C reaches it once,
// through this one; it stops when this one goes, however it goes.
if (process.env.CALLSENTRY_RELAUNCHED === '1' && process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
} else {
  const { missingVerdictFlags } = require(path.join(__dirname, '..', 'dist', 'services', 'verdicts', 'node-flags.js'));
  const flags = missingVerdictFlags(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
  if (flags.length > 0) {
    const { spawn } = require('node:child_process');
    const { constants } = require('node:os');
    const child = spawn(process.execPath, [...process.execArgv, ...flags, __filename, ...process.argv.slice(2)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      detached: true,
      env: { ...process.env, CALLSENTRY_RELAUNCHED: '1' },
    });
    child.on('error', (err) => {
      process.stderr.write(`callsentry verdict: cannot relaunch with ${flags.join(' ')}: ${err.message}\n`);
      process.exit(1);
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
    return;
  }
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
