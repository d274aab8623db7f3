// HEP packets per second on one core: decoding alone, and decoding plus SIP parsing and
// transaction correlation (what the HEP collector does per packet before the bus).
import { decodeHep, encodeHep3, HepSource } from '../services/collector/hep';
import { registerExchange } from '../services/collector/hep/test-support/hep-vectors';
import { report } from './report';

const PACKETS = 200_000;

function packets(): Buffer[] {
  const out: Buffer[] = [];
  const t0 = Date.now() - 60_000;
  for (let i = 0; out.length < PACKETS; i++) {
    for (const [j, m] of registerExchange(String(i)).entries()) {
      out.push(encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol: 17, timeMs: t0 + i + j, protocolType: 1, captureId: 1, payload: m.bytes }));
    }
  }
  return out.slice(0, PACKETS);
}

function main(): void {
  const input = packets();
  const bytes = input.reduce((n, p) => n + p.length, 0);
  for (const p of input.slice(0, 20_000)) decodeHep(p); // warm up

  let t = process.hrtime.bigint();
  let ok = 0;
  for (const p of input) if (decodeHep(p).ok) ok++;
  let s = Number(process.hrtime.bigint() - t) / 1e9;
  report('hep decode (1 core)', { packets: input.length, decoded: ok, seconds: s, packets_per_s: Math.round(input.length / s), mb_per_s: bytes / 1e6 / s });

  const source = new HepSource({});
  const now = Date.now();
  t = process.hrtime.bigint();
  let records = 0;
  for (const p of input) {
    const r = source.message(p, now);
    if (r.ok) records += r.records.length;
  }
  records += source.flush().length;
  s = Number(process.hrtime.bigint() - t) / 1e9;
  report('hep to flow records (1 core)', { packets: input.length, records, seconds: s, packets_per_s: Math.round(input.length / s) });
}

main();
