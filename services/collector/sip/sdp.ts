// SDP (RFC 4566) reduced to what security and media tracking need: where each stream goes, with
// which codecs, and whether it is encrypted (SAVP/SAVPF profile, a=crypto SDES, a=fingerprint DTLS).
import type { SdpSummary } from '../../core/records';
import { detach } from './text-scan';

const MAX_MEDIA = 32; // the record schema allows 32 m= lines
const MAX_FORMATS = 64;
const MAX_SUITES = 16;
const MAX_LINES = 2048;

export interface RtpMapEntry {
  name: string;
  clockRate: number;
}

export interface SdpMedia {
  type: string;
  port: number;
  protocol: string;
  formats: string[];
  rtpmap: Map<number, RtpMapEntry>;
  cryptoSuites: string[];
  fingerprint: boolean;
  /** a=zrtp-hash: ZRTP (RFC 6189) keys SRTP in the media path although the profile says RTP/AVP */
  zrtp: boolean;
  /** media-level c= address, else the session one */
  connectionIp?: string;
}

export interface SdpDescription {
  connectionIp?: string;
  media: SdpMedia[];
}

/** RFC 3551 static payload types. */
const STATIC_PAYLOADS: ReadonlyMap<number, RtpMapEntry> = new Map([
  [0, { name: 'PCMU', clockRate: 8000 }],
  [3, { name: 'GSM', clockRate: 8000 }],
  [4, { name: 'G723', clockRate: 8000 }],
  [5, { name: 'DVI4', clockRate: 8000 }],
  [6, { name: 'DVI4', clockRate: 16000 }],
  [7, { name: 'LPC', clockRate: 8000 }],
  [8, { name: 'PCMA', clockRate: 8000 }],
  [9, { name: 'G722', clockRate: 8000 }],
  [10, { name: 'L16', clockRate: 44100 }],
  [11, { name: 'L16', clockRate: 44100 }],
  [12, { name: 'QCELP', clockRate: 8000 }],
  [13, { name: 'CN', clockRate: 8000 }],
  [14, { name: 'MPA', clockRate: 90000 }],
  [15, { name: 'G728', clockRate: 8000 }],
  [18, { name: 'G729', clockRate: 8000 }],
  [26, { name: 'JPEG', clockRate: 90000 }],
  [31, { name: 'H261', clockRate: 90000 }],
  [32, { name: 'MPV', clockRate: 90000 }],
  [34, { name: 'H263', clockRate: 90000 }],
]);

const STATIC_NAMES: ReadonlyMap<string, string> = new Map([...STATIC_PAYLOADS.values()].map((e) => [e.name.toUpperCase(), e.name]));

/** Encoding names are case-insensitive (RFC 4855): "pcma" is reported as the table's "PCMA". */
function canonicalCodecName(name: string): string {
  return STATIC_NAMES.get(name.toUpperCase()) ?? name;
}

/** RFC 3551 codec of a static payload type. */
export function staticPayloadType(pt: number): RtpMapEntry | undefined {
  return STATIC_PAYLOADS.get(pt);
}

/** Codec of a payload type: the stream's a=rtpmap first, then the static table. */
export function payloadType(media: SdpMedia | undefined, pt: number): RtpMapEntry | undefined {
  return media?.rtpmap.get(pt) ?? STATIC_PAYLOADS.get(pt);
}

export function isSecureProfile(protocol: string): boolean {
  return protocol.toUpperCase().includes('SAVP');
}

/** SRTP negotiated for this stream by profile, SDES keys or DTLS fingerprint. */
export function isSrtpMedia(m: SdpMedia): boolean {
  return isSecureProfile(m.protocol) || m.cryptoSuites.length > 0 || m.fingerprint;
}

function connectionAddress(value: string): string | undefined {
  // c=IN IP4 192.0.2.1[/ttl[/n]]
  const parts = value.trim().split(/\s+/, 3);
  if (parts.length < 3 || parts[0] !== 'IN') return undefined;
  const addr = parts[2]!;
  const slash = addr.indexOf('/');
  return slash < 0 ? addr : addr.slice(0, slash);
}

function parseMediaLine(value: string): SdpMedia | undefined {
  const words = value.trim().split(/\s+/, 3 + MAX_FORMATS);
  if (words.length < 3) return undefined;
  const portText = words[1]!;
  const slash = portText.indexOf('/'); // port/count
  const port = Number(slash < 0 ? portText : portText.slice(0, slash));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return {
    type: words[0]!.toLowerCase(),
    port,
    protocol: words[2]!,
    formats: words.slice(3),
    rtpmap: new Map(),
    cryptoSuites: [],
    fingerprint: false,
    zrtp: false,
  };
}

function applyAttribute(m: SdpMedia, attr: string): void {
  const colon = attr.indexOf(':');
  const name = (colon < 0 ? attr : attr.slice(0, colon)).toLowerCase();
  const value = colon < 0 ? '' : attr.slice(colon + 1).trim();
  if (name === 'rtpmap') {
    // a=rtpmap:<pt> <name>/<clock>[/<channels>]
    const sp = value.indexOf(' ');
    const pt = Number(value.slice(0, sp));
    const enc = value.slice(sp + 1).trim().split('/');
    const clockRate = Number(enc[1]);
    if (sp > 0 && Number.isInteger(pt) && pt >= 0 && pt < 128 && enc[0] && m.rtpmap.size < MAX_FORMATS) {
      m.rtpmap.set(pt, { name: canonicalCodecName(enc[0]), clockRate: Number.isFinite(clockRate) && clockRate > 0 ? clockRate : 0 });
    }
  } else if (name === 'crypto') {
    // a=crypto:<tag> <suite> <key-params>
    const suite = value.split(/\s+/, 2)[1];
    if (suite && m.cryptoSuites.length < MAX_SUITES && !m.cryptoSuites.includes(suite)) m.cryptoSuites.push(suite.slice(0, 64));
  } else if (name === 'fingerprint') {
    m.fingerprint = true;
  } else if (name === 'zrtp-hash') {
    m.zrtp = true;
  }
}

/** Parse an SDP body; undefined when it has no v= line or no usable m= line. */
export function parseSdp(body: Buffer | string): SdpDescription | undefined {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const desc: SdpDescription = { media: [] };
  const session: { fingerprint: boolean; zrtp: boolean; suites: string[] } = { fingerprint: false, zrtp: false, suites: [] };
  let current: SdpMedia | undefined;
  let sawVersion = false;
  let lineStart = 0;
  for (let n = 0; n < MAX_LINES && lineStart < text.length; n++) {
    let nl = text.indexOf('\n', lineStart);
    if (nl < 0) nl = text.length;
    const line = text.slice(lineStart, nl).trim();
    lineStart = nl + 1;
    if (line.length < 2 || line.charCodeAt(1) !== 61) continue; // "x=..."
    const value = line.slice(2);
    switch (line[0]) {
      case 'v':
        sawVersion = true;
        break;
      case 'c': {
        const ip = connectionAddress(value);
        if (ip === undefined) break;
        if (current) current.connectionIp = ip;
        else desc.connectionIp = ip;
        break;
      }
      case 'm':
        current = desc.media.length < MAX_MEDIA ? parseMediaLine(value) : undefined;
        if (current) desc.media.push(current);
        break;
      case 'a':
        if (current) applyAttribute(current, value);
        else if (value.startsWith('fingerprint:')) session.fingerprint = true;
        else if (value.startsWith('zrtp-hash:')) session.zrtp = true;
        else if (value.startsWith('crypto:')) session.suites.push(value.split(/\s+/, 2)[1] ?? '');
        break;
      default:
        break;
    }
  }
  if (!sawVersion || desc.media.length === 0) return undefined;
  for (const m of desc.media) {
    // session-level attributes apply to every stream (RFC 5763 allows a session-level fingerprint)
    if (session.fingerprint) m.fingerprint = true;
    if (session.zrtp) m.zrtp = true;
    for (const s of session.suites) if (s && !m.cryptoSuites.includes(s) && m.cryptoSuites.length < MAX_SUITES) m.cryptoSuites.push(s);
    if (m.connectionIp === undefined && desc.connectionIp !== undefined) m.connectionIp = desc.connectionIp;
  }
  return desc;
}

function codecNames(m: SdpMedia): string[] {
  const names: string[] = [];
  for (const f of m.formats) {
    const pt = Number(f);
    const name = Number.isInteger(pt) ? payloadType(m, pt)?.name : undefined;
    const codec = (name ?? f).slice(0, 64);
    if (!names.includes(codec)) names.push(codec);
  }
  return names;
}

/** The record form (records.ts SdpSummary): detached strings, so a kept summary pins no body. */
export function summarizeSdp(desc: SdpDescription): SdpSummary {
  const summary: SdpSummary = {
    media: desc.media.map((m) => {
      const entry: SdpSummary['media'][number] = { type: detach(m.type, 32), port: m.port, protocol: detach(m.protocol, 64) };
      if (m.cryptoSuites.length > 0) entry.crypto_suites = m.cryptoSuites.map((s) => detach(s, 64));
      if (m.fingerprint) entry.dtls_fingerprint = true;
      const codecs = codecNames(m);
      if (codecs.length > 0) entry.codecs = codecs.map((c) => detach(c, 64));
      return entry;
    }),
  };
  const ip = desc.connectionIp ?? desc.media.find((m) => m.connectionIp !== undefined)?.connectionIp;
  if (ip !== undefined) summary.connection_ip = detach(ip, 64);
  return summary;
}
