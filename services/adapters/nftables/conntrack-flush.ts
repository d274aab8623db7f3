// A drop rule only sees new packets if nothing ahead of it accepts established flows; deleting the
// conntrack entries of a blocked source makes its ongoing UDP "connections" count as new again.
import { formatIp, type NftElement } from './nft-element';
import type { HostCommands } from './nft-runner';

export function conntrackDeleteArgs(e: NftElement): string[] {
  const args = ['-D', '-f', e.family === 4 ? 'ipv4' : 'ipv6', '-s', formatIp(e.family, e.value)];
  const max = e.family === 4 ? 32 : 128;
  if (e.bits < max) {
    const mask = ((1n << BigInt(e.bits)) - 1n) << BigInt(max - e.bits);
    args.push('--mask-src', formatIp(e.family, mask));
  }
  return args;
}

/** Resolves with undefined on success (including "0 flow entries"), or the reason it failed. */
export async function flushConntrack(cmd: HostCommands, e: NftElement): Promise<string | undefined> {
  const r = await cmd.conntrack(conntrackDeleteArgs(e));
  if (r.code === 0 || /\b0 flow entries\b/.test(r.stderr)) return undefined;
  return r.stderr.trim() || `conntrack exit ${r.code}`;
}
