import { execFileSync } from 'node:child_process';
import type { SipEvidence, SipFlow } from '../../core/records';
import { readCaptureFlows } from '../pcap/pcap-source';
import { removeTempFiles, tempFile } from '../pcap/test-support/capture-file';
import { parseSipMessage } from '../sip/parse-message';
import { sipBytes } from '../sip/test-support/sip-builder';
import type { PacketMeta } from '../sip/transactions';
import { evidencePcap } from './pcap-export';
import { EvidenceSampler } from './sampler';

afterAll(removeTempFiles);

const SECRET = '0123456789abcdef0123456789abcdef';

function exchange(client: string, server: string, transport: PacketMeta['transport']): SipEvidence[] {
  const s = new EvidenceSampler({ capture: 'pcap' });
  const head = (first: string, toTag = '') => [
    `Via: SIP/2.0/${transport.toUpperCase()} [${client}]:5070;branch=z9hG4bK-1`.replace(/\[(\d[\d.]*)\]/, '$1'),
    'From: <sip:1001@pbx>;tag=a',
    `To: <sip:1001@pbx>${toTag}`,
    'Call-ID: call-1',
    `CSeq: 1 ${first}`,
  ];
  const out: SipEvidence[] = [];
  const push = (bytes: Buffer, timeMs: number, fromClient: boolean) => {
    const r = parseSipMessage(bytes);
    if (!r.ok) throw new Error(r.reason);
    const c = { ip: client, port: 5070 };
    const srv = { ip: server, port: 5060 };
    const e = s.offer(r.message, bytes, { timeMs, src: fromClient ? c : srv, dst: fromClient ? srv : c, transport });
    if (e) out.push(e);
  };
  push(sipBytes('REGISTER sip:pbx SIP/2.0', [...head('REGISTER'), `Authorization: Digest username="1001", realm="pbx", nonce="n", uri="sip:pbx", response="${SECRET}"`]), 1_700_000_000_000, true);
  push(sipBytes('SIP/2.0 200 OK', head('REGISTER', ';tag=b')), 1_700_000_000_250, false);
  return out;
}

async function flowsOf(file: string): Promise<SipFlow[]> {
  const flows: SipFlow[] = [];
  for await (const f of readCaptureFlows(file, { media: false })) if (f.event.dataset === 'sip.flow') flows.push(f as SipFlow);
  return flows;
}

describe('evidencePcap', () => {
  it.each([
    ['udp', '203.0.113.5', '198.51.100.10'],
    ['tcp', '203.0.113.5', '198.51.100.10'],
    ['udp', '2001:db8::5', '2001:db8::10'],
  ] as const)('writes %s over %s as a capture our own reader turns back into the same transaction', async (transport, client, server) => {
    const records = exchange(client, server, transport);
    expect(records).toHaveLength(2);
    const out = evidencePcap(records);
    expect(out).toMatchObject({ packets: 2, skipped: 0 });
    expect(out.bytes.includes(Buffer.from(SECRET))).toBe(false);
    const flows = await flowsOf(tempFile(`evidence-${transport}.pcap`, out.bytes));
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ source: { ip: client, port: 5070 }, destination: { ip: server, port: 5060 }, network: { transport: 'tcp' === transport ? 'tcp' : 'udp' }, sip: { method: 'REGISTER', status: 200, call_id: 'call-1', auth_user: '1001' } });
    // the same transaction: the flow id the evidence names is the id the capture yields again
    expect(records[0]!.sip.flow_id).toBe(flows[0]!.event.id);
    expect(flows[0]!['@timestamp']).toBe('2023-11-14T22:13:20.000Z');
  });

  it('is read by tshark with valid checksums', () => {
    let tshark = true;
    try {
      execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    } catch {
      tshark = false;
    }
    if (!tshark) throw new Error('tshark is not installed: apt-get install tshark (Debian), then run this test again');
    const file = tempFile('evidence-tshark.pcap', evidencePcap([...exchange('203.0.113.5', '198.51.100.10', 'udp'), ...exchange('2001:db8::5', '2001:db8::10', 'tcp')]).bytes);
    const fields = execFileSync('tshark', ['-r', file, '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', '_ws.expert.severity'], { encoding: 'utf8' });
    const rows = fields.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0] || r[1])).toEqual(['REGISTER', 'REGISTER', '200', '200']);
    // no error-level expert info (a bad checksum is one); 8388608 = PI_ERROR
    expect(rows.flatMap((r) => (r[2] ?? '').split(',')).filter((s) => Number(s) >= 8388608)).toEqual([]);
  });
});
