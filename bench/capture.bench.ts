// SIP messages per second from capture files on one core: read, decode, reassemble, parse,
// correlate into flow records (the work of `callsentry replay capture.pcap` before the bus).
import path from 'node:path';
import { createCaptureStats, readCaptureFlows } from '../services/collector/pcap';
import { report } from './report';

const DATA = path.resolve(__dirname, '../../../shared/data');

async function once(file: string) {
  const stats = createCaptureStats();
  const t = process.hrtime.bigint();
  let records = 0;
  for await (const _record of readCaptureFlows(file, { stats })) records++;
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { seconds, records, messages: stats.sip.messages, bytes: stats.file.bytesRead };
}

async function main(): Promise<void> {
  for (const name of ['lab-dev/pbx.pcap', 'pcap-benign/sipnab_sipp-branch-scenario.pcapng']) {
    const file = path.join(DATA, name);
    await once(file); // warm up
    const runs = [await once(file), await once(file), await once(file)];
    const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    report(`capture ${path.basename(name)}`, {
      sip_messages: best.messages,
      records: best.records,
      seconds: best.seconds,
      sip_messages_per_s: Math.round(best.messages / best.seconds),
      mb_per_s: best.bytes / 1e6 / best.seconds,
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
