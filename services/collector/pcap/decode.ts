// From link-layer frame to transport payload: Ethernet (802.1Q/QinQ, PPPoE, MPLS), Linux cooked
// SLL/SLL2, raw IP, BSD loopback; GRE tunnels (transparent Ethernet bridging, ERSPAN I/II/III) and
// IP-in-IP; IPv4 with fragment reassembly, IPv6 with extension headers; UDP, TCP, SCTP DATA.
// Anything else is skipped with a reason that the caller counts.
import { ipv4At, ipv6At } from './ip-address';
import { IpDefragmenter, type DefragStats } from './ip-fragments';
import { sctpDataChunks, type SctpData } from './sctp';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDI: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const SKIP_REASONS = {
  'link-unsupported': 'link type we do not decode',
  'not-ip': 'a frame that carries no IP (ARP, LLDP, STP ...)',
  truncated: 'the frame ends inside a header (snap length or corruption)',
  'bad-ip': 'an IP header with an impossible version or length',
  'fragment-held': 'an IP fragment kept until its datagram is complete',
  'tunnel-unsupported': 'a GRE version, flag or payload we do not decode',
  icmp: 'ICMP (errors quote SIP packets, but a quote is not a message)',
  'transport-unsupported': 'an IP protocol other than UDP, TCP, SCTP and tunnels',
  'too-deep': 'tunnels nested more than four deep',
} as const;

export type SkipReason = keyof typeof SKIP_REASONS;

export interface TransportPacket {
  protocol: 'udp' | 'tcp' | 'sctp';
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** UDP or TCP payload (empty for SCTP: see sctp) */
  payload: Buffer;
  /** TCP only */
  seq: number;
  /** TCP only: the acknowledgement number */
  ack: number;
  /** TCP only: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 */
  flags: number;
  /** SCTP only: the DATA chunks */
  sctp?: SctpData[];
}

export type DecodeResult = { ok: true; packet: TransportPacket } | { ok: false; skip: SkipReason };

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = [0x8100, 0x88a8, 0x9100];
const ETH_PPPOE_SESSION = 0x8864;
const ETH_MPLS = [0x8847, 0x8848];
const MAX_DEPTH = 4;

const skip = (reason: SkipReason): DecodeResult => ({ ok: false, skip: reason });

export class PacketDecoder {
  readonly defrag: IpDefragmenter;

  constructor(options: { maxFragmentedDatagrams?: number; fragmentTimeoutMs?: number; fragmentStats?: DefragStats } = {}) {
    this.defrag = new IpDefragmenter(options.maxFragmentedDatagrams, options.fragmentTimeoutMs, options.fragmentStats);
  }

  decode(linkType: number, frame: Buffer, timeMs: number): DecodeResult {
    switch (linkType) {
      case LINKTYPE.ETHERNET:
        return this.ethernet(frame, 0, timeMs, 0);
      case LINKTYPE.LINUX_SLL:
        return frame.length < 16 ? skip('truncated') : this.byEtherType(frame.readUInt16BE(14), frame, 16, timeMs, 0);
      case LINKTYPE.LINUX_SLL2:
        return frame.length < 20 ? skip('truncated') : this.byEtherType(frame.readUInt16BE(0), frame, 20, timeMs, 0);
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_OPENBSD:
      case LINKTYPE.RAW_BSDI:
        return this.ipByVersion(frame, 0, timeMs, 0);
      case LINKTYPE.IPV4:
        return this.ipv4(frame, 0, timeMs, 0);
      case LINKTYPE.IPV6:
        return this.ipv6(frame, 0, timeMs, 0);
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP: {
        if (frame.length < 4) return skip('truncated');
        // NULL stores the address family in the capturing host's byte order, LOOP in network order
        let family = linkType === LINKTYPE.LOOP ? frame.readUInt32BE(0) : frame.readUInt32LE(0);
        if (family > 0xffff) family = frame.readUInt32BE(0);
        if (family === 2) return this.ipv4(frame, 4, timeMs, 0);
        if (family === 10 || family === 24 || family === 28 || family === 30) return this.ipv6(frame, 4, timeMs, 0);
        return skip('not-ip');
      }
      default:
        return skip('link-unsupported');
    }
  }

  private ethernet(b: Buffer, o: number, timeMs: number, depth: number): DecodeResult {
    if (b.length < o + 14) return skip('truncated');
    return this.byEtherType(b.readUInt16BE(o + 12), b, o + 14, timeMs, depth);
  }

  private byEtherType(type: number, b: Buffer, o: number, timeMs: number, depth: number): DecodeResult {
    // VLAN tags (802.1Q, QinQ) and PPPoE sessions sit between Ethernet and IP
    for (let tags = 0; tags < 4; tags++) {
      if (ETH_VLAN.includes(type)) {
        if (b.length < o + 4) return skip('truncated');
        type = b.readUInt16BE(o + 2);
        o += 4;
      } else if (type === ETH_PPPOE_SESSION) {
        if (b.length < o + 8) return skip('truncated');
        const ppp = b.readUInt16BE(o + 6);
        o += 8;
        if (ppp === 0x0021) type = ETH_IPV4;
        else if (ppp === 0x0057) type = ETH_IPV6;
        else return skip('not-ip');
      } else break;
    }
    if (type === ETH_IPV4) return this.ipv4(b, o, timeMs, depth);
    if (type === ETH_IPV6) return this.ipv6(b, o, timeMs, depth);
    if (ETH_MPLS.includes(type)) {
      // label stack until the bottom-of-stack bit, then IP by its version nibble
      for (let labels = 0; labels < 8; labels++) {
        if (b.length < o + 4) return skip('truncated');
        const bottom = (b[o + 2]! & 0x01) !== 0;
        o += 4;
        if (bottom) return this.ipByVersion(b, o, timeMs, depth);
      }
      return skip('not-ip');
    }
    return skip('not-ip');
  }

  private ipByVersion(b: Buffer, o: number, timeMs: number, depth: number): DecodeResult {
    if (b.length <= o) return skip('truncated');
    const version = b[o]! >> 4;
    if (version === 4) return this.ipv4(b, o, timeMs, depth);
    if (version === 6) return this.ipv6(b, o, timeMs, depth);
    return skip('bad-ip');
  }

  private ipv4(b: Buffer, o: number, timeMs: number, depth: number): DecodeResult {
    if (b.length < o + 20) return skip('truncated');
    const ihl = (b[o]! & 0x0f) * 4;
    const total = b.readUInt16BE(o + 2);
    if (b[o]! >> 4 !== 4 || ihl < 20 || total < ihl) return skip('bad-ip');
    if (b.length < o + total) return skip('truncated');
    const src = ipv4At(b, o + 12);
    const dst = ipv4At(b, o + 16);
    const protocol = b[o + 9]!;
    const fragField = b.readUInt16BE(o + 6);
    const more = (fragField & 0x2000) !== 0;
    const fragOffset = (fragField & 0x1fff) * 8;
    // the total length drops Ethernet padding
    let payload = b.subarray(o + ihl, o + total);
    if (more || fragOffset > 0) {
      const whole = this.defrag.push(`4 ${src} ${dst} ${b.readUInt16BE(o + 4)} ${protocol}`, fragOffset, more, payload, timeMs);
      if (!whole) return skip('fragment-held');
      payload = whole;
    }
    return this.transport(protocol, src, dst, payload, timeMs, depth);
  }

  private ipv6(b: Buffer, o: number, timeMs: number, depth: number): DecodeResult {
    if (b.length < o + 40) return skip('truncated');
    if (b[o]! >> 4 !== 6) return skip('bad-ip');
    const payloadLength = b.readUInt16BE(o + 4);
    const end = payloadLength === 0 ? b.length : o + 40 + payloadLength; // 0: jumbogram
    if (b.length < end) return skip('truncated');
    const src = ipv6At(b, o + 8);
    const dst = ipv6At(b, o + 24);
    let next = b[o + 6]!;
    let p = o + 40;
    let fragment: { offset: number; more: boolean; id: number } | undefined;
    for (let headers = 0; headers < 8; headers++) {
      if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
        if (end < p + 8) return skip('truncated');
        const len = (b[p + 1]! + 1) * 8;
        next = b[p]!;
        p += len;
      } else if (next === 51) {
        if (end < p + 8) return skip('truncated');
        const len = (b[p + 1]! + 2) * 4; // AH counts 4-byte words
        next = b[p]!;
        p += len;
      } else if (next === 44) {
        if (end < p + 8) return skip('truncated');
        const field = b.readUInt16BE(p + 2);
        fragment = { offset: field & 0xfff8, more: (field & 1) !== 0, id: b.readUInt32BE(p + 4) };
        next = b[p]!;
        p += 8;
      } else break;
    }
    if (p > end) return skip('truncated');
    let payload = b.subarray(p, end);
    if (fragment && (fragment.more || fragment.offset > 0)) {
      const whole = this.defrag.push(`6 ${src} ${dst} ${fragment.id} ${next}`, fragment.offset, fragment.more, payload, timeMs);
      if (!whole) return skip('fragment-held');
      payload = whole;
    }
    return this.transport(next, src, dst, payload, timeMs, depth);
  }

  private transport(protocol: number, src: string, dst: string, p: Buffer, timeMs: number, depth: number): DecodeResult {
    switch (protocol) {
      case 17: {
        if (p.length < 8) return skip('truncated');
        const length = p.readUInt16BE(4);
        const end = length >= 8 && length <= p.length ? length : p.length;
        return {
          ok: true,
          packet: { protocol: 'udp', src, dst, srcPort: p.readUInt16BE(0), dstPort: p.readUInt16BE(2), payload: p.subarray(8, end), seq: 0, ack: 0, flags: 0 },
        };
      }
      case 6: {
        if (p.length < 20) return skip('truncated');
        const headerLength = (p[12]! >> 4) * 4;
        if (headerLength < 20 || headerLength > p.length) return skip('truncated');
        return {
          ok: true,
          packet: {
            protocol: 'tcp',
            src,
            dst,
            srcPort: p.readUInt16BE(0),
            dstPort: p.readUInt16BE(2),
            payload: p.subarray(headerLength),
            seq: p.readUInt32BE(4),
            ack: p.readUInt32BE(8),
            flags: p[13]!,
          },
        };
      }
      case 132: {
        if (p.length < 12) return skip('truncated');
        const packet: TransportPacket = {
          protocol: 'sctp',
          src,
          dst,
          srcPort: p.readUInt16BE(0),
          dstPort: p.readUInt16BE(2),
          payload: EMPTY,
          seq: 0,
          ack: 0,
          flags: 0,
          sctp: sctpDataChunks(p, 12),
        };
        return { ok: true, packet };
      }
      case 47:
        return depth >= MAX_DEPTH ? skip('too-deep') : this.gre(p, timeMs, depth + 1);
      case 4:
        return depth >= MAX_DEPTH ? skip('too-deep') : this.ipv4(p, 0, timeMs, depth + 1);
      case 41:
        return depth >= MAX_DEPTH ? skip('too-deep') : this.ipv6(p, 0, timeMs, depth + 1);
      case 1:
      case 58:
        return skip('icmp');
      default:
        return skip('transport-unsupported');
    }
  }

  /** GRE (RFC 2784/2890) carrying Ethernet (TEB, ERSPAN I/II/III) or IP. */
  private gre(p: Buffer, timeMs: number, depth: number): DecodeResult {
    if (p.length < 4) return skip('truncated');
    const flags = p.readUInt16BE(0);
    if ((flags & 0x0007) !== 0 || (flags & 0x4000) !== 0) return skip('tunnel-unsupported'); // version or routing
    const proto = p.readUInt16BE(2);
    const hasSeq = (flags & 0x1000) !== 0;
    let o = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (hasSeq ? 4 : 0);
    switch (proto) {
      case 0x6558:
        return this.ethernet(p, o, timeMs, depth);
      case 0x88be:
        // ERSPAN type II has an 8-byte header and a GRE sequence number; type I has neither
        return this.ethernet(p, hasSeq ? o + 8 : o, timeMs, depth);
      case 0x22eb: {
        if (p.length < o + 12) return skip('truncated');
        const platformSubheader = (p[o + 11]! & 0x01) !== 0;
        o += 12 + (platformSubheader ? 8 : 0);
        return this.ethernet(p, o, timeMs, depth);
      }
      case ETH_IPV4:
        return this.ipv4(p, o, timeMs, depth);
      case ETH_IPV6:
        return this.ipv6(p, o, timeMs, depth);
      default:
        return skip('tunnel-unsupported');
    }
  }
}

const EMPTY = Buffer.alloc(0);
