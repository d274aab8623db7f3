// Evidence records back into a capture file: one packet per SIP message, rebuilt from what the
// record kept (time, addresses, ports, transport and the message bytes with their secrets masked
// to the same length). The file is a classic pcap (microsecond timestamps) of raw IP packets
// (LINKTYPE_RAW: no link layer was kept, so none is invented); Wireshark, tshark and sngrep read it.
//
//   udp            IPv4/IPv6 + UDP, checksums computed
//   tcp, tls, ws, wss   IPv4/IPv6 + TCP, one PSH/ACK segment per message, sequence numbers
//                  continuous per direction (the capture shows the SIP the sensor decoded: TLS and
//                  WebSocket framing are not rebuilt)
//   sctp           not written (counted in `skipped`): an SCTP association cannot be rebuilt from one message
import { parseIp } from '../../core/cidr';
import type { SipEvidence } from '../../core/records';

const LINKTYPE_RAW = 101;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

export interface EvidencePcap {
  bytes: Buffer;
  packets: number;
  /** records that could not become a packet (sctp, unreadable address) */
  skipped: number;
}

export function evidencePcap(records: readonly SipEvidence[]): EvidencePcap {
  const sorted = [...records].sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const parts: Buffer[] = [globalHeader()];
  const seq = new Map<string, number>();
  let packets = 0;
  let skipped = 0;
  for (const r of sorted) {
    const src = addressBytes(r.source.ip);
    const dst = addressBytes(r.destination.ip);
    if (!src || !dst || src.length !== dst.length || r.network.transport === 'sctp') {
      skipped++;
      continue;
    }
    const payload = Buffer.from(r.evidence.message, r.evidence.encoding);
    const sport = r.source.port ?? 5060;
    const dport = r.destination.port ?? 5060;
    let l4: Buffer;
    let proto: number;
    if (r.network.transport === 'udp') {
      proto = PROTO_UDP;
      l4 = udpSegment(sport, dport, payload, src, dst);
    } else {
      proto = PROTO_TCP;
      const fwd = `${r.source.ip}|${sport}|${r.destination.ip}|${dport}`;
      const back = `${r.destination.ip}|${dport}|${r.source.ip}|${sport}`;
      const mySeq = seq.get(fwd) ?? 1;
      seq.set(fwd, (mySeq + payload.length) >>> 0);
      l4 = tcpSegment(sport, dport, mySeq, seq.get(back) ?? 1, payload, src, dst);
    }
    const ip = src.length === 4 ? ipv4(proto, src, dst, l4) : ipv6(proto, src, dst, l4);
    parts.push(recordHeader(Date.parse(r['@timestamp']), ip.length), ip);
    packets++;
  }
  return { bytes: Buffer.concat(parts), packets, skipped };
}

function globalHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16); // snaplen
  h.writeUInt32LE(LINKTYPE_RAW, 20);
  return h;
}

function recordHeader(timeMs: number, length: number): Buffer {
  const h = Buffer.alloc(16);
  const ms = Number.isFinite(timeMs) ? timeMs : 0;
  h.writeUInt32LE(Math.floor(ms / 1000) >>> 0, 0);
  h.writeUInt32LE(Math.round((ms % 1000) * 1000), 4);
  h.writeUInt32LE(length, 8);
  h.writeUInt32LE(length, 12);
  return h;
}

function addressBytes(ip: string): Buffer | undefined {
  const p = parseIp(ip);
  if (!p) return undefined;
  const n = p.version === 4 ? 4 : 16;
  const b = Buffer.alloc(n);
  let v = p.value;
  for (let i = n - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

function ipv4(proto: number, src: Buffer, dst: Buffer, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = 64;
  h[9] = proto;
  src.copy(h, 12);
  dst.copy(h, 16);
  h.writeUInt16BE(checksum([h]), 10);
  return Buffer.concat([h, payload]);
}

function ipv6(proto: number, src: Buffer, dst: Buffer, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = proto;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, payload]);
}

function udpSegment(sport: number, dport: number, payload: Buffer, src: Buffer, dst: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  const sum = checksum([pseudoHeader(src, dst, PROTO_UDP, 8 + payload.length), h, payload]);
  h.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return Buffer.concat([h, payload]);
}

function tcpSegment(sport: number, dport: number, seq: number, ack: number, payload: Buffer, src: Buffer, dst: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = 0x18; // PSH, ACK
  h.writeUInt16BE(65535, 14);
  h.writeUInt16BE(checksum([pseudoHeader(src, dst, PROTO_TCP, 20 + payload.length), h, payload]), 16);
  return Buffer.concat([h, payload]);
}

function pseudoHeader(src: Buffer, dst: Buffer, proto: number, length: number): Buffer {
  if (src.length === 4) {
    const p = Buffer.alloc(12);
    src.copy(p, 0);
    dst.copy(p, 4);
    p[9] = proto;
    p.writeUInt16BE(length, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  src.copy(p, 0);
  dst.copy(p, 16);
  p.writeUInt32BE(length, 32);
  p[39] = proto;
  return p;
}

/** The Internet checksum (RFC 1071) over the concatenation of the parts. */
function checksum(parts: Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const b of parts) {
    let i = 0;
    if (odd !== undefined && b.length > 0) {
      sum += (odd << 8) | b[0]!;
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
    if (i < b.length) odd = b[i];
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
