// Replays an RFC 3665 call flow (YAML list of messages) through the correlator. The RFCs give
// messages, not packets, so addresses are derived from the messages themselves: a request leaves
// the host of its top Via and goes to the host that forwards it next (or to its request-URI host);
// a response travels back from that host to the top Via host.
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { SipFlow } from '../../../core/records';
import { parseUri } from '../name-addr';
import { parseSipMessage } from '../parse-message';
import type { SipMessage } from '../sip-message';
import { SipCorrelator, type CorrelatorOptions } from '../transactions';

/** Messages of one flow, CRLF restored; `patch` may correct a known erratum before parsing. */
export function loadFlow(file: string, patch: (text: string, index: number) => string = (t) => t): SipMessage[] {
  const docs = parseYaml(fs.readFileSync(file, 'utf8')) as string[];
  return docs.map((text, i) => {
    const r = parseSipMessage(Buffer.from(patch(text, i).replace(/\r?\n/g, '\r\n')));
    if (!r.ok) throw new Error(`${file} message ${i + 1}: ${r.reason} ${r.detail}`);
    return r.message;
  });
}

const hopKey = (branch: string | undefined, method: string) => `${branch ?? ''} ${method === 'ACK' ? 'INVITE' : method}`;

export function replayFlow(messages: SipMessage[], options: CorrelatorOptions = {}): { flows: SipFlow[]; correlator: SipCorrelator } {
  const nextHop = new Map<string, string>();
  messages.forEach((m, i) => {
    if (m.kind !== 'request') return;
    const key = hopKey(m.via[0]?.branch, m.method);
    if (nextHop.has(key)) return;
    const later = messages.slice(i + 1);
    const forwarded = later.find((n) => n.kind === 'request' && n.method === m.method && n.via[1]?.branch === m.via[0]?.branch);
    // without a proxy in between, the UAS that answers with a Contact is the destination
    const answered = later.find(
      (n) => n.kind === 'response' && n.status! < 300 && n.contact && n.via.length === m.via.length && n.via[0]?.branch === m.via[0]?.branch,
    );
    nextHop.set(key, forwarded?.via[0]?.host ?? answered?.contact?.host ?? parseUri(m.requestUri ?? '')?.host ?? 'unknown');
  });
  const correlator = new SipCorrelator(options);
  const flows: SipFlow[] = [];
  messages.forEach((m, i) => {
    const top = m.via[0]?.host ?? 'unknown';
    const peer = nextHop.get(hopKey(m.via[0]?.branch, m.method)) ?? 'unknown';
    const [src, dst] = m.kind === 'request' ? [top, peer] : [peer, top];
    // UDP regardless of the Via: a connection-oriented transport would prove every source by itself
    flows.push(...correlator.push(m, { timeMs: i * 100, src: { ip: src, port: 5060 }, dst: { ip: dst, port: 5060 }, transport: 'udp' }));
  });
  flows.push(...correlator.flush());
  return { flows, correlator };
}
