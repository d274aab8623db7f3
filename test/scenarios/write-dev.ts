// Writes the dev scenarios of issue 15 (X.ndjson + X.labels.json) into a directory:
//   node -r ./test/support/swc-require.js test/scenarios/write-dev.ts DIR [NAME...]
// then: callsentry evaluate --within 60 DIR
import { writeDevScenarios } from './dev-scenarios';

const [dir, ...only] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node -r ./test/support/swc-require.js test/scenarios/write-dev.ts DIR [NAME...]\n');
  process.exit(2);
}
writeDevScenarios(dir, only.length ? only : undefined).then(
  (names) => process.stdout.write(`${names.map((n) => `${dir}/${n}.ndjson`).join('\n')}\n`),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
