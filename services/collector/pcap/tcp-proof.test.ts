// A passive capture parses TCP segments that belong to no connection (a forged source, whose
// segment the server's kernel answers with a reset): only a handshake the capture saw completed
// proves the client's address. The capture does not follow SCTP associations: SCTP proves nothing.
import { runCapture } from './test-support/run-capture';
import { pcapBytes, removeTempFiles, tempFile } from './test-support/capture-file';
import { ethernet, ipv4, sctpData, tcp, TCP } from './test-support/frames';

const PHONE = '198.51.100.7';
const PBX = '203.0.113.10';
const invite = (n: number) =>
  Buffer.from(
    `INVITE sip:2000@pbx.example SIP/2.0\r\nVia: SIP/2.0/TCP ${PHONE}:40000;branch=z9hG4bK-${n}\r\nFrom: <sip:105@pbx.example>;tag=a${n}\r\n` +
      `To: <sip:2000@pbx.example>\r\nCall-ID: tcp-${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
    'latin1',
  );
const fromPhone = (seq: number, ack: number, flags: number, payload = Buffer.alloc(0)) => ethernet(0x0800, ipv4(6, PHONE, PBX, tcp(40000, 5060, seq, flags, payload, ack)));
const fromPbx = (seq: number, ack: number, flags: number) => ethernet(0x0800, ipv4(6, PBX, PHONE, tcp(5060, 40000, seq, flags, Buffer.alloc(0), ack)));

async function provenOf(name: string, frames: Buffer[]): Promise<Array<boolean | undefined>> {
  const run = await runCapture(tempFile(name, pcapBytes(frames.map((data, i) => ({ timeMs: 1000 + i, data })))));
  return run.sip.map((f) => f.sip.source_proven);
}

afterAll(() => removeTempFiles());

describe('TCP in a passive capture', () => {
  it('proves the client that acknowledged the SYN-ACK the capture saw', async () => {
    expect(await provenOf('handshake.pcap', [fromPhone(1000, 0, TCP.SYN), fromPbx(7000, 1001, TCP.SYN | TCP.ACK), fromPhone(1001, 7001, TCP.ACK | TCP.PSH, invite(1))])).toEqual([true]);
  });

  it('does not prove a segment injected with a forged source, nor one that acknowledges a guessed sequence number', async () => {
    expect(await provenOf('forged.pcap', [fromPhone(1, 1, TCP.ACK | TCP.PSH, invite(2))])).toEqual([false]);
    expect(await provenOf('guessed.pcap', [fromPhone(1000, 0, TCP.SYN), fromPbx(7000, 1001, TCP.SYN | TCP.ACK), fromPhone(1001, 424242, TCP.ACK | TCP.PSH, invite(3))])).toEqual([false]);
  });

  it('does not prove SIP over SCTP by the transport alone: the capture does not follow the association', async () => {
    const frame = ethernet(0x0800, ipv4(132, PHONE, PBX, sctpData(40000, 5060, [{ tsn: 1, begin: true, end: true, data: invite(4) }])));
    expect(await provenOf('sctp.pcap', [frame])).toEqual([false]);
  });
});
