// TLS connections seen in the capture, with what the record layer gives away: who is the server,
// the negotiated version, how many records. Signalling over TLS (port 5061 by default) cannot be
// read, but it can be counted and its version reported (policy: TLS below 1.2).
import type { Endpoint } from '../../core/records';
import { BoundedMap } from '../sip/bounded-map';
import type { TcpDirection } from './tcp-reassembly';
import { TLS_CONTENT, tlsVersionName, type TlsRecordEvents } from './tls-records';

export interface TlsSession {
  client: Endpoint;
  server: Endpoint;
  /** "1.0" ... "1.3", "ssl3" */
  version?: string;
  versionFrom?: 'server-hello' | 'record-layer';
  /** the server port is a SIP-over-TLS port */
  sip: boolean;
  records: number;
  applicationData: number;
  firstMs: number;
  lastMs: number;
}

export interface TlsStats {
  connections: number;
  /** connections to a SIP-over-TLS port: encrypted signalling */
  sipConnections: number;
  records: number;
  handshakeRecords: number;
  applicationDataRecords: number;
  alerts: number;
  /** connections per negotiated version, once known */
  versions: Record<string, number>;
}

export function createTlsStats(): TlsStats {
  return { connections: 0, sipConnections: 0, records: 0, handshakeRecords: 0, applicationDataRecords: 0, alerts: 0, versions: Object.create(null) as Record<string, number> };
}

function canonicalKey(d: TcpDirection): string {
  const a = `${d.src}|${d.srcPort}`;
  const b = `${d.dst}|${d.dstPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class TlsSessions {
  private readonly sessions: BoundedMap<string, TlsSession>;

  constructor(
    readonly stats: TlsStats,
    private readonly sipTlsPorts: ReadonlySet<number>,
    maxSessions = 1024,
  ) {
    this.sessions = new BoundedMap(maxSessions);
  }

  /** Sessions still remembered (the most recent ones when there were more than the cap). */
  list(): TlsSession[] {
    return [...this.sessions.values()];
  }

  /** The record events of one direction, attributed to its connection. */
  direction(dir: TcpDirection): TlsRecordEvents {
    const key = canonicalKey(dir);
    const session = (timeMs: number): TlsSession => {
      let s = this.sessions.get(key);
      if (!s) {
        // until a ServerHello says otherwise, the server is the side on a SIP-TLS or lower port
        const dstIsServer = this.sipTlsPorts.has(dir.dstPort) || (!this.sipTlsPorts.has(dir.srcPort) && dir.dstPort < dir.srcPort);
        const src = { ip: dir.src, port: dir.srcPort };
        const dst = { ip: dir.dst, port: dir.dstPort };
        s = { client: dstIsServer ? src : dst, server: dstIsServer ? dst : src, sip: false, records: 0, applicationData: 0, firstMs: timeMs, lastMs: timeMs };
        s.sip = this.sipTlsPorts.has(s.server.port!);
        this.sessions.set(key, s);
        this.stats.connections++;
        if (s.sip) this.stats.sipConnections++;
      }
      return s;
    };
    const setVersion = (s: TlsSession, version: string, from: TlsSession['versionFrom']): void => {
      if (s.version === undefined) this.stats.versions[version] = (this.stats.versions[version] ?? 0) + 1;
      s.version = version;
      s.versionFrom = from;
    };
    return {
      record: (type, version, timeMs) => {
        const s = session(timeMs);
        s.records++;
        s.lastMs = Math.max(s.lastMs, timeMs);
        this.stats.records++;
        if (type === TLS_CONTENT.HANDSHAKE) this.stats.handshakeRecords++;
        else if (type === TLS_CONTENT.ALERT) this.stats.alerts++;
        else if (type === TLS_CONTENT.APPLICATION_DATA) {
          s.applicationData++;
          this.stats.applicationDataRecords++;
          const name = version < 0x0303 ? tlsVersionName(version) : undefined;
          if (name && s.versionFrom !== 'server-hello') setVersion(s, name, 'record-layer');
        }
      },
      serverHello: (version, timeMs) => {
        const s = session(timeMs);
        const name = tlsVersionName(version);
        if (s.server.ip !== dir.src || s.server.port !== dir.srcPort) {
          [s.client, s.server] = [s.server, s.client];
          const sip = this.sipTlsPorts.has(s.server.port!);
          if (sip && !s.sip) this.stats.sipConnections++;
          s.sip = sip;
        }
        if (name) setVersion(s, name, 'server-hello');
      },
    };
  }
}
