// RFC 4475 torture messages. Valid ones (3.1.1, 3.2, 3.3.x except insuf, 3.4) must parse with no
// defect. Each invalid one is either refused with a reason or accepted with the defect flagged;
// the decision and its reason are written down here, per file.
import fs from 'node:fs';
import { parseSipMessage } from './parse-message';
import type { Defect, ParseFailure } from './sip-message';
import { dataPath } from './test-support/data-dir';

const DIR = dataPath('sip-messages', 'rfc4475');

type Expect = { refuse: ParseFailure } | { defects: Defect[] };

const ok: Expect = { defects: [] };

const EXPECTED: Record<string, Expect> = {
  // 3.1.1 valid messages
  wsinv: ok,
  intmeth: ok,
  esc01: ok,
  escnull: ok,
  esc02: ok,
  lwsdisp: ok,
  longreq: ok,
  dblreq: ok,
  semiuri: ok,
  transports: ok,
  mpart01: ok,
  unreason: ok,
  noreason: ok,
  // 3.1.2 invalid messages
  badinv01: { defects: ['bad-via', 'bad-name-addr'] }, // ";;,;,," Via and ";;;;" Contact params
  clerr: { refuse: 'truncated-body' }, // Content-Length 9999 on a datagram
  scalar02: { refuse: 'bad-cseq' }, // CSeq 36893488147419103232
  scalarlg: { refuse: 'bad-cseq' }, // CSeq 9292394834772304023312 in a response
  quotbal: { defects: ['bad-name-addr'] }, // unterminated quote in To
  ltgtruri: { refuse: 'bad-request-uri' }, // <sip:...> as request URI
  lwsruri: { refuse: 'bad-start-line' }, // "sip:user@example.com; lr": four words
  lwsstart: { defects: ['start-line-whitespace'] }, // runs of spaces: harmless, flagged
  trws: { defects: ['start-line-whitespace'] }, // trailing spaces: harmless, flagged
  escruri: { defects: ['request-uri-headers'] }, // ?Route= in the request URI
  // Date is not interpreted by the collector, so its bad time zone is neither refused nor flagged.
  baddate: ok,
  regbadct: { defects: ['bad-name-addr'] }, // Contact addr-spec with ?headers and no <>
  badaspec: { defects: ['bad-name-addr'] }, // spaces inside <>
  baddn: { defects: ['bad-name-addr'] }, // unquoted display name with a comma
  badvers: { refuse: 'bad-version' }, // SIP/7.0
  mismatch01: { defects: ['cseq-method-mismatch'] }, // OPTIONS with CSeq INVITE
  mismatch02: { defects: ['cseq-method-mismatch'] }, // NEWMETHOD with CSeq INVITE
  bigcode: { refuse: 'bad-status' }, // 4294967301
  ncl: { refuse: 'bad-content-length' }, // -999
  // 3.2 transaction layer: syntactically valid
  badbranch: ok,
  // 3.3 application layer
  insuf: { refuse: 'missing-header' }, // no Call-ID, From, To, Max-Forwards
  unkscm: ok,
  novelsc: ok,
  unksm2: ok,
  bext01: ok,
  invut: ok,
  regaut01: ok,
  multi01: { defects: ['duplicate-header'] }, // two Call-ID, CSeq, From, To: the first is used
  mcl01: { refuse: 'bad-content-length' }, // Content-Length 13 and 5
  bcast: ok,
  zeromf: ok,
  cparam01: ok,
  cparam02: ok,
  regescrt: ok,
  sdp01: ok,
  // 3.4 backward compatibility (RFC 2543 syntax, no branch)
  inv2543: ok,
  // not in the RFC: no SIP-version in the request line, and a header line without a colon
  test: { refuse: 'bad-start-line' },
};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.dat'));

test('every file in the corpus has a decision', () => {
  expect(files.map((f) => f.slice(0, -4)).sort()).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(files)('%s', (file) => {
  const name = file.slice(0, -4);
  const expected = EXPECTED[name]!;
  const result = parseSipMessage(fs.readFileSync(`${DIR}/${file}`));
  if ('refuse' in expected) {
    test(`is refused: ${expected.refuse}`, () => {
      expect(result.ok ? 'accepted' : result.reason).toBe(expected.refuse);
    });
  } else {
    test(expected.defects.length ? `is accepted with ${expected.defects.join(', ')}` : 'is accepted clean', () => {
      if (!result.ok) throw new Error(`refused: ${result.reason} (${result.detail})`);
      expect([...result.message.defects].sort()).toEqual([...expected.defects].sort());
    });
  }
});

describe('fields of selected messages', () => {
  const parse = (name: string) => {
    const r = parseSipMessage(fs.readFileSync(`${DIR}/${name}.dat`));
    if (!r.ok) throw new Error(`${name}: ${r.reason}`);
    return r.message;
  };

  test('wsinv: folding, LWS around separators, compact forms, two Via in one header', () => {
    const m = parse('wsinv');
    expect(m.method).toBe('INVITE');
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.to).toMatchObject({ user: 'vivekg', host: 'chair-dnrc.example.com', tag: '1918181833n' });
    expect(m.from).toMatchObject({ display: 'J Rosenberg \\"', user: 'jdrosen', tag: '98asjd8' });
    expect(m.via.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.maxForwards).toBe(68);
    expect(m.contact?.display).toBe('Quoted string ""');
    expect(m.body.length).toBe(150);
    expect(m.headers.find((h) => h.name === 'newfangledheader')?.value).toBe('newfangled value continued newfangled value');
  });

  test('esc01: %-escapes in user parts are decoded', () => {
    const m = parse('esc01');
    expect(m.to.user).toBe('user');
    expect(m.from.user).toBe('I have spaces');
    expect(m.callId).toBe('esc01.239409asdfakjkn23onasd0-3234');
    expect(m.contentType).toBe('application/sdp');
  });

  test('escnull: %00 stays escaped rather than becoming a NUL character', () => {
    expect(parse('escnull').to.user).toBe('null-%00-null');
  });

  test('dblreq: Content-Length framing consumes only the first message', () => {
    const buf = fs.readFileSync(`${DIR}/dblreq.dat`);
    const first = parseSipMessage(buf);
    if (!first.ok) throw new Error(first.reason);
    expect(first.message.method).toBe('REGISTER');
    expect(first.message.callId).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    const second = parseSipMessage(buf.subarray(first.consumed));
    if (!second.ok) throw new Error(second.reason);
    expect(second.message.method).toBe('INVITE');
    expect(second.message.body.length).toBe(150);
  });

  test('unreason / noreason: UTF-8 and empty reason phrases', () => {
    expect(parse('unreason').reason?.startsWith('= 2**3 * 5**2 но сто девяносто девять')).toBe(true);
    expect(parse('noreason')).toMatchObject({ kind: 'response', status: 100, reason: '' });
  });

  test('multi01: the first of duplicated single-value headers wins', () => {
    const m = parse('multi01');
    expect(m.callId).toBe('multi01.98asdh@192.0.2.1');
    expect(m.cseq.seq).toBe(5);
  });

  test('regaut01: unknown authorization scheme is kept as a scheme, no secret retained', () => {
    const m = parse('regaut01');
    expect(m.credentials).toEqual([{ header: 'authorization', scheme: 'NoOneKnowsThisScheme' }]);
    expect(m.headers.find((h) => h.name === 'authorization')?.value).toBe('[redacted]');
  });

  test('transports: all five Via values in order', () => {
    expect(parse('transports').via.map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });
});
