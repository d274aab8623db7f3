// Verifies a live log file from its first entry. A log alone cannot show entries cut from its end:
// compare its last hash with the newest export's (or the search index).
import { GENESIS_HASH } from './canonical';
import { readLines } from './lines';
import { ChainVerifier } from './verify-chain';
import type { Check, ExportVerdict } from './verify-export';

export async function verifyLogFile(file: string): Promise<ExportVerdict> {
  const verifier = new ChainVerifier({ sequence: 0, hashPrev: GENESIS_HASH });
  let note = '';
  for await (const line of readLines(file)) {
    if (!line.terminated) {
      note = `; the last line is incomplete (an append in progress, or torn by a crash: callsentry audit removes it on start)`;
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      value = undefined;
    }
    const br = value === undefined ? { sequence: verifier.count, line: line.number, why: 'the line is not JSON' } : verifier.push(value, line.number);
    if (br) {
      const check: Check = { name: 'chain', ok: false, detail: `broken at entry ${br.sequence} (line ${br.line}): ${br.why}` };
      return { ok: false, checks: [check], broken: br };
    }
  }
  const last = verifier.last;
  const detail = last ? `${verifier.count} entries verify (0 to ${last.sequence}); last hash ${last.hash}${note}` : `no entries${note}`;
  return { ok: true, checks: [{ name: 'chain', ok: true, detail }] };
}
