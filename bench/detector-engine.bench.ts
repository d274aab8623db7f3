// Records per second through the detector engine on one core, and through the whole embedded
// pipeline (collector edge, in-process bus, detect, decide, enforce dry-run, print).
import { generate } from '../services/collector/synthetic';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectorEngine } from '../services/detectors/engine';
import { activeDetectors } from '../services/detectors/registry';
import { HUNDRED_K } from '../test/support/scenarios';
import { report } from './report';

async function main(): Promise<void> {
  const records = generate({ ...HUNDRED_K, seconds: 700 }).slice(0, 200_000);

  // engine alone: warm up once, then measure
  const detectors = activeDetectors();
  const warm = new DetectorEngine(detectors);
  for (const r of records.slice(0, 20_000)) warm.process(r);
  const engine = new DetectorEngine(detectors);
  const t = process.hrtime.bigint();
  let findings = 0;
  for (const r of records) findings += engine.process(r).length;
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  report(`engine (${detectors.length} detectors, 1 core)`, { records: records.length, seconds: s, records_per_s: Math.round(records.length / s), findings });

  // the whole embedded pipeline as users run it: `callsentry replay` over an NDJSON file, in its
  // own process so that its peak RSS is the pipeline's, not this benchmark's
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-bench-'));
  const file = path.join(dir, 'flows.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const cli = path.resolve(__dirname, '../services/cli.js');
  const run = spawnSync(process.execPath, [cli, 'replay', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  rmSync(dir, { recursive: true, force: true });
  const summary = /([\d.]+) s, (\d+) records\/s, peak RSS (\d+) MB/.exec(run.stderr);
  if (run.status !== 0 || !summary) throw new Error(`replay failed: ${run.stderr}`);
  report('callsentry replay (embedded)', {
    records: records.length,
    seconds: Number(summary[1]),
    records_per_s: Number(summary[2]),
    peak_rss_mb: Number(summary[3]),
    printed: run.stdout.split('\n').filter(Boolean).length,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
