import { encodeHep3 } from './hep-encode';
import { HepStreamFramer } from './hep-stream-framer';
import { HEP3_VECTOR, HEP3_VECTOR_FIELDS } from './test-support/hep-vectors';

const second = encodeHep3({ ...HEP3_VECTOR_FIELDS, payload: 'OPTIONS sip:x SIP/2.0\r\n\r\n' });
const stream = Buffer.concat([HEP3_VECTOR, second, HEP3_VECTOR]);
const hex = (frames: Buffer[]) => frames.map((f) => f.toString('hex'));
const expected = hex([HEP3_VECTOR, second, HEP3_VECTOR]);

describe('HepStreamFramer', () => {
  it('cuts back-to-back messages delivered in one read', () => {
    const r = new HepStreamFramer().push(stream);
    expect(r.ok && hex(r.frames)).toEqual(expected);
  });

  it('reassembles the same messages whatever the read boundaries: every single cut, and one byte per read', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new HepStreamFramer();
      const a = f.push(stream.subarray(0, cut));
      const b = f.push(stream.subarray(cut));
      expect(a.ok && b.ok && hex([...a.frames, ...b.frames])).toEqual(expected);
      expect(f.buffered).toBe(0);
    }
    const f = new HepStreamFramer();
    const frames: Buffer[] = [];
    for (const byte of stream) {
      const r = f.push(Buffer.from([byte]));
      expect(r.ok).toBe(true);
      frames.push(...r.frames);
    }
    expect(hex(frames)).toEqual(expected);
  });

  it('gives up on a stream that does not continue with HEP3, keeping the messages before it', () => {
    const r = new HepStreamFramer().push(Buffer.concat([HEP3_VECTOR, Buffer.from('GET / HTTP/1.1\r\n')]));
    expect(r).toMatchObject({ ok: false, reason: 'stream-desync' });
    expect(hex(r.frames)).toEqual([HEP3_VECTOR.toString('hex')]);
    // even a short tail is judged at once: "HEX" can never become "HEP3"
    expect(new HepStreamFramer().push(Buffer.from('HEX'))).toMatchObject({ ok: false, reason: 'stream-desync' });
    expect(new HepStreamFramer().push(Buffer.from('HEP'))).toMatchObject({ ok: true, frames: [] });
  });

  it('refuses a message length below the header, and more buffered bytes than the limit', () => {
    expect(new HepStreamFramer().push(Buffer.from('HEP3\x00\x03', 'latin1'))).toMatchObject({ ok: false, reason: 'bad-length' });
    const small = new HepStreamFramer(64);
    expect(small.push(HEP3_VECTOR.subarray(0, 60)).ok).toBe(true);
    expect(small.push(HEP3_VECTOR.subarray(60, 80))).toMatchObject({ ok: false, reason: 'stream-overflow' });
    expect(small.buffered).toBe(0);
  });
});
