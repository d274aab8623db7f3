import { TcpDirection } from './tcp-reassembly';
import { looksLikeTls, serverHelloVersion, TlsRecordReader } from './tls-records';
import { createTlsStats, TlsSessions } from './tls-sessions';

function record(type: number, version: number, body: Buffer): Buffer {
  const h = Buffer.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([h, body]);
}

function serverHello(legacy: number, supportedVersion?: number): Buffer {
  const ext = supportedVersion === undefined ? Buffer.alloc(0) : Buffer.from([0, 43, 0, 2, supportedVersion >> 8, supportedVersion & 0xff]);
  const body = Buffer.concat([
    Buffer.from([legacy >> 8, legacy & 0xff]),
    Buffer.alloc(32, 7), // random
    Buffer.from([0]), // empty session id
    Buffer.from([0x13, 0x01, 0]), // cipher suite, compression
    Buffer.from([ext.length >> 8, ext.length & 0xff]),
    ext,
  ]);
  return Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]);
}

test('ServerHello: legacy version for TLS 1.2, supported_versions for TLS 1.3', () => {
  expect(serverHelloVersion(serverHello(0x0303))).toBe(0x0303);
  expect(serverHelloVersion(serverHello(0x0303, 0x0304))).toBe(0x0304);
  expect(serverHelloVersion(Buffer.from([1, 0, 0, 0]))).toBeUndefined();
});

test('records are counted across segment boundaries; the ServerHello gives the version', () => {
  const stats = createTlsStats();
  const sessions = new TlsSessions(stats, new Set([5061]));
  const server: TcpDirection = { src: '192.0.2.10', srcPort: 5061, dst: '192.0.2.1', dstPort: 40000, connection: { proven: true } };
  const reader = new TlsRecordReader(sessions.direction(server));
  const bytes = Buffer.concat([record(22, 0x0303, serverHello(0x0303, 0x0304)), record(20, 0x0303, Buffer.from([1])), record(23, 0x0303, Buffer.alloc(500))]);
  for (let i = 0; i < bytes.length; i += 7) expect(reader.push(bytes.subarray(i, i + 7), 1000 + i)).toBe(true);
  expect(stats).toMatchObject({ connections: 1, sipConnections: 1, records: 3, handshakeRecords: 1, applicationDataRecords: 1, versions: { '1.3': 1 } });
  expect(sessions.list()[0]).toMatchObject({ client: { ip: '192.0.2.1', port: 40000 }, server: { ip: '192.0.2.10', port: 5061 }, version: '1.3', versionFrom: 'server-hello', sip: true });
});

test('without a handshake, TLS 1.0 and 1.1 show in the record layer; 1.2 tells nothing', () => {
  const stats = createTlsStats();
  const sessions = new TlsSessions(stats, new Set([5061]));
  const client: TcpDirection = { src: '192.0.2.1', srcPort: 40000, dst: '192.0.2.10', dstPort: 5061, connection: { proven: true } };
  new TlsRecordReader(sessions.direction(client)).push(record(23, 0x0301, Buffer.alloc(10)), 0);
  const other: TcpDirection = { ...client, srcPort: 40001 };
  new TlsRecordReader(sessions.direction(other)).push(record(23, 0x0303, Buffer.alloc(10)), 0);
  expect(sessions.list().map((s) => s.version)).toEqual(['1.0', undefined]);
});

test('a stream that stops looking like TLS is abandoned', () => {
  expect(looksLikeTls(Buffer.from('INVITE sip:'))).toBe(false);
  const reader = new TlsRecordReader({ record: () => undefined, serverHello: () => undefined });
  expect(reader.push(Buffer.concat([record(23, 0x0303, Buffer.alloc(4)), Buffer.from('GET / HTTP/1.1')]), 0)).toBe(false);
});
