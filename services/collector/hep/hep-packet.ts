// What a decoded HEP packet is, and why one is refused. HEP (the HOMER Encapsulation Protocol)
// wraps a captured packet (SIP, RTCP, ...) with the addresses, ports and time of its capture, so a
// proxy can mirror its signalling to us without a tap on the wire.

export type IpFamily = 'ipv4' | 'ipv6';

/** HEP "protocol type" (chunk 0x000b): what the payload is. Values from the HEP3 specification. */
export const HEP_PROTOCOL_TYPE = {
  sip: 0x01,
  rtp: 0x04,
  /** RTCP: binary as captured, or the JSON rendering captagent and rtpengine send */
  rtcp: 0x05,
  /** QoS reports (vendor JSON): recognised, not turned into records yet */
  qosReport: 0x20,
  mosFullReport: 0x22,
  mosShortReport: 0x23,
  sipJson: 0x32,
  log: 0x64,
} as const;

export interface HepAddress {
  ip: string;
  port: number;
}

export interface HepPacket {
  version: 1 | 2 | 3;
  family: IpFamily;
  /** IP protocol number of the captured packet: 17 UDP, 6 TCP, 132 SCTP */
  ipProtocol: number;
  src: HepAddress;
  dst: HepAddress;
  /** capture time in epoch ms (with µs as a fraction); absent when the agent sent none */
  timeMs?: number;
  protocolType: number;
  captureId?: number;
  /** SIP Call-ID (or another correlation key) the agent tied to this packet, typically RTCP */
  correlationId?: string;
  payload: Buffer;
  /** the payload arrived in chunk 0x0010 and was decompressed */
  compressed: boolean;
}

/** Every reason a packet is refused, with its meaning: these become DLQ reason codes (`hep/<reason>`). */
export const HEP_REJECTS = {
  'too-short': 'fewer bytes than a HEP header',
  'not-hep': 'neither the HEP3 magic nor a HEP v2 header',
  'bad-length': 'the total length field disagrees with the bytes received',
  oversized: 'larger than the configured packet limit',
  'chunk-header': 'a chunk header runs past the end of the packet',
  'chunk-length': 'a chunk length is below 6 or runs past the end of the packet',
  'chunk-size': 'a fixed-size chunk (address, port, time, id) has the wrong length',
  'duplicate-chunk': 'a generic chunk appears twice',
  'bad-value': 'a chunk value is out of range (family, microseconds)',
  'missing-chunk': 'a mandatory chunk is absent (family, addresses, ports, protocol type, payload)',
  'family-mismatch': 'the addresses do not match the announced IP family',
  'auth-failed': 'the authentication key is absent or wrong',
  'decompress-failed': 'the compressed payload does not inflate',
  'decompress-oversized': 'the compressed payload inflates beyond the limit',
  'stream-desync': 'a TCP stream does not continue with a HEP3 message',
  'stream-overflow': 'a TCP connection buffered more than its limit',
  'sip-invalid': 'the SIP payload does not parse',
  'rtcp-invalid': 'the RTCP payload (binary or JSON) does not parse',
  'unsupported-transport': 'the captured packet was neither UDP, TCP nor SCTP',
  backpressure: 'the bus is not keeping up; records are refused rather than queued without bound',
  internal: 'a bug met by this packet (counted; tests require zero)',
} as const;

export type HepReject = keyof typeof HEP_REJECTS;

export type HepDecodeResult = { ok: true; packet: HepPacket } | { ok: false; reason: HepReject; detail: string };

export function refuse(reason: HepReject, detail: string): { ok: false; reason: HepReject; detail: string } {
  return { ok: false, reason, detail };
}
