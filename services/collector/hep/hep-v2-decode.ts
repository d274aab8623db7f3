// HEP v1 and v2, still sent by old agents. No chunks and no total length: a fixed header
//   version u8 (1 or 2), header length u8, family u8, IP protocol u8, source port u16,
//   destination port u16, source address, destination address (4 or 16 bytes each)
// where the header length covers exactly those fields, then for v2 a time header
//   seconds u32, microseconds u32, capture id u16, padding u16
// and the payload. The time header is written in the agent's byte order, which is little-endian
// on every agent we know of (Kamailio and OpenSIPS convert it with to_le); v1 has no time at all.
import { ipv4At, ipv6At } from '../pcap/ip-address';
import { refuse, type HepDecodeResult, type HepPacket } from './hep-packet';

const FIXED = 8;
const TIME_HEADER = 12;
const AF_INET = 2;
const AF_INET6 = 10;

export function decodeHepV2(buf: Buffer): HepDecodeResult {
  if (buf.length < FIXED) return refuse('too-short', `${buf.length} bytes`);
  const version = buf[0] as 1 | 2;
  const family = buf[2]!;
  if (family !== AF_INET && family !== AF_INET6) return refuse('not-hep', `HEP v${version} with family ${family}`);
  const addressBytes = family === AF_INET ? 4 : 16;
  const headerLength = FIXED + 2 * addressBytes;
  if (buf[1] !== headerLength) return refuse('bad-length', `HEP v${version} header length ${buf[1]}, expected ${headerLength}`);
  const timeBytes = version === 2 ? TIME_HEADER : 0;
  if (buf.length <= headerLength + timeBytes) return refuse('too-short', `HEP v${version} of ${buf.length} bytes has no payload`);
  const addr = family === AF_INET ? ipv4At : ipv6At;
  const packet: HepPacket = {
    version,
    family: family === AF_INET ? 'ipv4' : 'ipv6',
    ipProtocol: buf[3]!,
    src: { ip: addr(buf, FIXED), port: buf.readUInt16BE(4) },
    dst: { ip: addr(buf, FIXED + addressBytes), port: buf.readUInt16BE(6) },
    // v1/v2 predate protocol types: they only ever carried SIP
    protocolType: 1,
    payload: buf.subarray(headerLength + timeBytes),
    compressed: false,
  };
  if (version === 2) {
    const micros = buf.readUInt32LE(headerLength + 4);
    if (micros >= 1_000_000) return refuse('bad-value', `microseconds ${micros}`);
    packet.timeMs = buf.readUInt32LE(headerLength) * 1000 + micros / 1000;
    packet.captureId = buf.readUInt16LE(headerLength + 8);
  }
  return { ok: true, packet };
}
