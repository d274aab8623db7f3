// Hand-built HEP packets for tests: bytes written out literally from the HEP3 specification, one
// line per chunk, so the encoder and the decoder are both checked against the wire format and not
// against each other.
import { sipBytes } from '../../sip/test-support/sip-builder';

/** A SIP message captured over UDP 10.0.0.1:5060 -> 10.0.0.2:5080 at 1700000000.123456 s. */
export const HEP3_VECTOR = Buffer.from(
  [
    [0x48, 0x45, 0x50, 0x33, 0x00, 0x75], //                               "HEP3", total length 117
    [0x00, 0x00, 0x00, 0x01, 0x00, 0x07, 0x02], //                         0x0001 IP family: 2 (AF_INET)
    [0x00, 0x00, 0x00, 0x02, 0x00, 0x07, 0x11], //                         0x0002 IP protocol: 17 (UDP)
    [0x00, 0x00, 0x00, 0x03, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x01], //       0x0003 IPv4 source 10.0.0.1
    [0x00, 0x00, 0x00, 0x04, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x02], //       0x0004 IPv4 destination 10.0.0.2
    [0x00, 0x00, 0x00, 0x07, 0x00, 0x08, 0x13, 0xc4], //                   0x0007 source port 5060
    [0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x13, 0xd8], //                   0x0008 destination port 5080
    [0x00, 0x00, 0x00, 0x09, 0x00, 0x0a, 0x65, 0x53, 0xf1, 0x00], //       0x0009 seconds 1700000000
    [0x00, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x01, 0xe2, 0x40], //       0x000a microseconds 123456
    [0x00, 0x00, 0x00, 0x0b, 0x00, 0x07, 0x01], //                         0x000b protocol type 1 (SIP)
    [0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x00, 0x07, 0xd1], //       0x000c capture agent id 2001
    [0x00, 0x00, 0x00, 0x0e, 0x00, 0x07, 0x6b], //                         0x000e auth key "k"
    [0x00, 0x00, 0x00, 0x11, 0x00, 0x08, 0x63, 0x31], //                   0x0011 correlation id "c1"
    [0x00, 0x00, 0x00, 0x0f, 0x00, 0x09, 0x53, 0x49, 0x50], //             0x000f payload "SIP"
  ].flat(),
);

/** The fields HEP3_VECTOR encodes, as the encoder takes them. */
export const HEP3_VECTOR_FIELDS = {
  src: { ip: '10.0.0.1', port: 5060 },
  dst: { ip: '10.0.0.2', port: 5080 },
  ipProtocol: 17,
  timeMs: 1_700_000_000_123.456,
  protocolType: 1,
  captureId: 2001,
  authKey: 'k',
  correlationId: 'c1',
  payload: 'SIP',
};

/** HEP v2 over IPv4 as Kamailio's siptrace sends it: time header little-endian. */
export const HEP2_VECTOR = Buffer.concat([
  Buffer.from([0x02, 0x10, 0x02, 0x11]), //                                version 2, header 16 bytes, AF_INET, UDP
  Buffer.from([0x13, 0xc4, 0x13, 0xc4]), //                                ports 5060 -> 5060
  Buffer.from([0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02]), //        192.0.2.1 -> 192.0.2.2
  Buffer.from([0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00]), //        1700000000 s, 123456 µs (little-endian)
  Buffer.from([0xd1, 0x07, 0x00, 0x00]), //                                capture id 2001, padding
  Buffer.from('SIP'),
]);

export const PHONE = '198.51.100.7';
export const PBX = '203.0.113.10';

/** REGISTER, 401 with a nonce, REGISTER answering it, 200: the message a test sends as HEP. */
/** `call` makes the exchange a distinct transaction (Call-ID, branches, nonce). */
export function registerExchange(call = '1'): Array<{ from: string; to: string; bytes: Buffer }> {
  const headers = (branch: string, cseq: number, extra: string[] = []) => [
    `Via: SIP/2.0/UDP ${PHONE}:5060;branch=${branch}-${call}`,
    'From: <sip:105@pbx.example>;tag=ph1',
    'To: <sip:105@pbx.example>',
    `Call-ID: reg-hep-${call}`,
    `CSeq: ${cseq} REGISTER`,
    ...extra,
  ];
  return [
    { from: PHONE, to: PBX, bytes: sipBytes('REGISTER sip:pbx.example SIP/2.0', [...headers('z9hG4bK-r1', 1), 'Contact: <sip:105@198.51.100.7>', 'User-Agent: hep-test-phone']) },
    { from: PBX, to: PHONE, bytes: sipBytes('SIP/2.0 401 Unauthorized', [...headers('z9hG4bK-r1', 1), `WWW-Authenticate: Digest realm="pbx", nonce="N-hep-${call}"`]) },
    {
      from: PHONE,
      to: PBX,
      bytes: sipBytes('REGISTER sip:pbx.example SIP/2.0', [
        ...headers('z9hG4bK-r2', 2),
        `Authorization: Digest username="105", realm="pbx", nonce="N-hep-${call}", uri="sip:pbx.example", response="00ff"`,
        'Contact: <sip:105@198.51.100.7>',
      ]),
    },
    { from: PBX, to: PHONE, bytes: sipBytes('SIP/2.0 200 OK', headers('z9hG4bK-r2', 2)) },
  ];
}

/** An RTCP sender report from SSRC 0x11111111 with one block on SSRC 0x22222222 (RFC 3550 6.4.1). */
export function rtcpSenderReport(o: { packets: number; octets: number; lost: number; jitter: number }): Buffer {
  const b = Buffer.alloc(52);
  b[0] = 0x81; //                          V=2, P=0, RC=1
  b[1] = 200; //                           SR
  b.writeUInt16BE(52 / 4 - 1, 2); //       length in words minus one
  b.writeUInt32BE(0x11111111, 4); //       sender SSRC
  b.writeUInt32BE(0xe8d4a510, 8); //       NTP seconds
  b.writeUInt32BE(0, 12); //               NTP fraction
  b.writeUInt32BE(160, 16); //             RTP timestamp
  b.writeUInt32BE(o.packets, 20); //       sender's packet count
  b.writeUInt32BE(o.octets, 24); //        sender's octet count
  b.writeUInt32BE(0x22222222, 28); //      report block: source SSRC
  b[32] = 0; //                            fraction lost
  b.writeIntBE(o.lost, 33, 3); //          cumulative lost (signed 24 bits)
  b.writeUInt32BE(1000, 36); //            extended highest sequence number
  b.writeUInt32BE(o.jitter, 40); //        interarrival jitter
  return b; //                             LSR and DLSR left 0
}
