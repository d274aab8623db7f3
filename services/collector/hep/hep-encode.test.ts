import { decodeHep } from './hep-decode';
import { addressBytes, encodeHep3 } from './hep-encode';
import { HEP3_VECTOR, HEP3_VECTOR_FIELDS } from './test-support/hep-vectors';

describe('encodeHep3', () => {
  it('writes the hand-built vector byte for byte', () => {
    expect(encodeHep3(HEP3_VECTOR_FIELDS).toString('hex')).toBe(HEP3_VECTOR.toString('hex'));
  });

  it('writes IPv6 addresses in chunks 0x0005/0x0006 with family 10', () => {
    const b = encodeHep3({ src: { ip: '2001:db8::1', port: 5060 }, dst: { ip: '::ffff:192.0.2.1', port: 5061 }, protocolType: 1, payload: 'x' });
    expect(b.subarray(6, 13).toString('hex')).toBe('0000000100070a'); // family chunk, value 10
    expect(b.subarray(20, 42).toString('hex')).toBe('00000005001620010db8000000000000000000000001');
    expect(b.subarray(42, 64).toString('hex')).toBe('00000006001600000000000000000000ffffc0000201');
  });

  it('parses textual addresses to network-order bytes', () => {
    expect(addressBytes('192.0.2.255').toString('hex')).toBe('c00002ff');
    expect(addressBytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(addressBytes('fe80::1:2').toString('hex')).toBe('fe800000000000000000000000010002');
    expect(addressBytes('1:2:3:4:5:6:7:8').toString('hex')).toBe('00010002000300040005000600070008');
  });

  it('round-trips through the decoder, compressed and with vendor chunks', () => {
    const payload = 'OPTIONS sip:a@b SIP/2.0\r\n'.repeat(20);
    const b = encodeHep3({ ...HEP3_VECTOR_FIELDS, payload, compress: true, extraChunks: [{ vendor: 3, type: 0x20, value: Buffer.from('vendor') }] });
    const r = decodeHep(b);
    expect(r.ok && r.packet).toMatchObject({ compressed: true, captureId: 2001, correlationId: 'c1', src: HEP3_VECTOR_FIELDS.src });
    expect(r.ok && r.packet.payload.toString()).toBe(payload);
  });

  it('refuses what HEP3 cannot carry', () => {
    expect(() => encodeHep3({ ...HEP3_VECTOR_FIELDS, payload: Buffer.alloc(70_000) })).toThrow(/65535/);
    expect(() => encodeHep3({ ...HEP3_VECTOR_FIELDS, dst: { ip: '::1', port: 1 } })).toThrow(/alike/);
  });
});
