// What reading dialled numbers costs the collector per INVITE: a cold parse with libphonenumber
// (every reading of the string under the plan) and a cached answer. Prints figures, asserts nothing.
import { DEFAULT_DIAL_PLAN, DEFAULT_DIAL_PLANS } from '../services/core/dial-plan';
import { normaliseDialled, NumberNormaliser } from '../services/collector/numbers/normalise';

const N = 20_000;
// valid numbers of Israel, the UK, Jamaica and New York, dialled four ways
const numbers = Array.from({ length: N }, (_, i) => [`90119723${5_550_000 + i}`, `1010333011442079${460_000 + i}`, `+1876${5_550_000 + i}`, `${2_125_550_000 + i}`][i % 4]);

function perCall(label: string, f: (s: string) => unknown): void {
  const t = process.hrtime.bigint();
  for (const s of numbers) f(s);
  const us = Number(process.hrtime.bigint() - t) / 1e3 / N;
  console.log(`${label.padEnd(40)} ${us.toFixed(2)} µs per number`);
}

perCall('uncached (normaliseDialled)', (s) => normaliseDialled(s, DEFAULT_DIAL_PLAN));
const cached = new NumberNormaliser(DEFAULT_DIAL_PLANS, 50_000);
perCall('cache filling (NumberNormaliser)', (s) => cached.normalise(s));
perCall('cached (the same numbers again)', (s) => cached.normalise(s));
