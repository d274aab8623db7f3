import { parseRtcp } from './rtcp-report';
import { rtcpSenderReport } from './test-support/hep-vectors';

describe('parseRtcp', () => {
  it('reads a sender report with one report block', () => {
    expect(parseRtcp(rtcpSenderReport({ packets: 500, octets: 80_000, lost: 3, jitter: 80 }))).toEqual({
      ok: true,
      reports: [{ reporterSsrc: 0x11111111, sent: { packets: 500, octets: 80_000 }, blocks: [{ ssrc: 0x22222222, lost: 3, jitter: 80 }] }],
    });
  });

  it('reads a compound RR + SDES, and a negative cumulative loss', () => {
    const rr = Buffer.alloc(32);
    rr[0] = 0x81;
    rr[1] = 201;
    rr.writeUInt16BE(7, 2);
    rr.writeUInt32BE(7, 4);
    rr.writeUInt32BE(9, 8);
    rr.writeIntBE(-2, 13, 3);
    rr.writeUInt32BE(40, 20);
    const sdes = Buffer.from([0x81, 202, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0, 0]);
    expect(parseRtcp(Buffer.concat([rr, sdes]))).toEqual({ ok: true, reports: [{ reporterSsrc: 7, blocks: [{ ssrc: 9, lost: -2, jitter: 40 }] }] });
  });

  it.each<[string, Buffer]>([
    ['too short', Buffer.from([0x80, 200, 0, 0])],
    ['version 1', Buffer.from([0x40, 201, 0, 1, 0, 0, 0, 1])],
    ['a length past the end', Buffer.from([0x80, 201, 0, 9, 0, 0, 0, 1])],
    ['more blocks than the length holds', Buffer.from([0x83, 201, 0, 1, 0, 0, 0, 1])],
    ['only SDES', Buffer.from([0x81, 202, 0x00, 0x01, 0, 0, 0, 7])],
    ['trailing bytes', Buffer.concat([rtcpSenderReport({ packets: 1, octets: 1, lost: 0, jitter: 0 }), Buffer.from([0x80, 0xc9])])],
  ])('refuses %s', (_name, bytes) => {
    expect(parseRtcp(bytes).ok).toBe(false);
  });

  it('reads the JSON rendering captagent and rtpengine send, and checks every number', () => {
    const json = { type: 200, ssrc: 1, report_count: 1, sender_information: { packets: 10, octets: 1600, ntp_timestamp_sec: 1 }, report_blocks: [{ source_ssrc: 2, packets_lost: 1, ia_jitter: 16, fraction_lost: 0 }] };
    expect(parseRtcp(Buffer.from(JSON.stringify(json)))).toEqual({ ok: true, reports: [{ reporterSsrc: 1, sent: { packets: 10, octets: 1600 }, blocks: [{ ssrc: 2, lost: 1, jitter: 16 }] }] });
    for (const bad of [{ ...json, type: 202 }, { ...json, ssrc: -1 }, { ...json, sender_information: undefined }, { ...json, report_blocks: [{ source_ssrc: 'x' }] }, { ...json, report_blocks: {} }]) {
      expect(parseRtcp(Buffer.from(JSON.stringify(bad))).ok).toBe(false);
    }
    expect(parseRtcp(Buffer.from('{"type":')).ok).toBe(false);
  });
});
