// RFC 3665 basic call flows, replayed message by message (addresses derived from the messages,
// see test-support/rfc3665.ts). Each row: first label of the client host, method, CSeq, final
// status ('-' when none was seen), and whether the source was proven.
import fs from 'node:fs';
import { dataPath } from './test-support/data-dir';
import { loadFlow, replayFlow } from './test-support/rfc3665';

const DIR = dataPath('sip-messages', 'rfc3665-yaml');

/**
 * Errata of the printed flows: the hop-by-hop ACK between the proxies is printed with the Via of
 * another element (3.3 F8 carries Alice's Via, 3.8 F18 carries Proxy 2's). Both are corrected to
 * the Via of Proxy 1, which is what sends them.
 */
const ERRATA: Record<string, { index: number; from: string; to: string }> = {
  '3.03': { index: 7, from: 'client.atlanta.example.com:5060;branch=z9hG4bK74b21', to: 'ss1.atlanta.example.com:5060;branch=z9hG4bK230f2.1' },
  '3.08': { index: 17, from: 'ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1', to: 'ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1' },
};

const EXPECTED: Record<string, string[]> = {
  '2.01': ['client REGISTER 1 401 unproven', 'client REGISTER 2 200 proven'], // answers the 401 nonce
  // 2.02-2.04 answer a challenge that happened before the flow starts: nothing proves them
  '2.02': ['client REGISTER 1 200 unproven'],
  '2.03': ['client REGISTER 1 200 unproven'],
  '2.04': ['client REGISTER 1 200 unproven'],
  '2.05': ['client REGISTER 1 401 unproven', 'client REGISTER 2 401 proven'], // wrong password, right nonce
  '3.01': ['client INVITE 1 200 proven', 'client ACK 1 - proven', 'client BYE 1 200 proven'],
  '3.02': [
    'client INVITE 1 407 proven', // its ACK echoes the tag of the 407
    'client INVITE 2 200 proven',
    'client ACK 2 - proven',
    'ss1 INVITE 2 200 proven',
    'ss1 ACK 2 - proven',
    'ss2 INVITE 2 200 proven',
    'ss2 ACK 2 - proven',
    'ss1 BYE 1 200 proven',
    'ss2 BYE 1 200 proven',
    'client BYE 1 200 proven',
  ],
  '3.03': [
    'client INVITE 1 407 proven',
    'ss1 INVITE 2 407 proven',
    'client INVITE 2 407 proven',
    'client INVITE 3 200 proven',
    'client ACK 3 - proven',
    'ss1 INVITE 3 200 proven',
    'ss1 ACK 3 - proven',
    'ss2 INVITE 3 200 proven',
    'ss2 ACK 3 - proven',
  ],
  '3.04': [
    'client INVITE 1 407 proven',
    'client INVITE 2 200 proven',
    'client ACK 2 - proven',
    'ss2 INVITE 2 200 proven',
    'ss2 ACK 2 - proven',
    'ss2 BYE 1 200 proven',
    'client BYE 1 200 proven',
    'client INVITE 1 - unproven', // F1-F7 to the failed proxy: one transaction, never answered
  ],
  '3.05': [
    'client INVITE 1 200 proven',
    'client ACK 1 - proven',
    'alg1 INVITE 1 200 proven',
    'alg1 ACK 1 - proven',
    // No Record-Route: the BYE goes from the ALG straight to Bob, whose tag reached the ALG
    // through Proxy 2. A tag echo only proves towards the element that sent the tag.
    'alg1 BYE 2 200 unproven',
    'client BYE 2 200 proven',
    'ss2 INVITE 1 200 unproven', // its 2xx is ACKed end to end, past Proxy 2
  ],
  '3.06': [
    'client INVITE 1 302 proven',
    'client INVITE 2 200 proven',
    'client ACK 2 - proven',
    'ss3 INVITE 2 200 proven',
    'ss3 ACK 2 - proven',
    'ss3 BYE 1 200 proven',
    'client BYE 1 200 proven',
  ],
  '3.07': [
    'client INVITE 1 200 unproven', // 2xx relayed by Proxy 2, ACKed straight to Bob (no Record-Route)
    'client ACK 1 - unproven',
    'client INVITE 14 200 proven', // the re-INVITE from Bob's new address, proven by its ACK
    'client ACK 14 - proven',
    'client BYE 2 200 proven',
    'ss2 INVITE 1 200 unproven',
  ],
  '3.08': [
    'client CANCEL 1 200 unproven', // a CANCEL echoes no tag
    'ss1 CANCEL 1 200 unproven',
    'ss2 CANCEL 1 200 unproven',
    'ss2 INVITE 1 487 proven',
    'ss1 INVITE 1 487 proven',
    'client INVITE 1 487 proven',
  ],
  '3.09': ['ss2 INVITE 1 486 proven', 'ss1 INVITE 1 486 proven', 'client INVITE 1 486 proven'],
  '3.10': ['ss1 INVITE 1 480 proven', 'client INVITE 1 480 proven', 'ss2 INVITE 1 - unproven'], // Bob never answers
  '3.11': ['ss2 INVITE 1 480 proven', 'ss1 INVITE 1 480 proven', 'client INVITE 1 480 proven'],
};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

function load(file: string) {
  const erratum = ERRATA[file.slice(0, 4)];
  return loadFlow(`${DIR}/${file}`, (text, i) => (erratum && i === erratum.index ? text.replace(erratum.from, erratum.to) : text));
}

const row = (f: { source: { ip: string }; sip: { method: string; cseq?: number; status?: number; source_proven?: boolean } }) =>
  `${f.source.ip.split('.')[0]} ${f.sip.method} ${f.sip.cseq} ${f.sip.status ?? '-'} ${f.sip.source_proven ? 'proven' : 'unproven'}`;

test('every flow has expectations', () => {
  expect(files.map((f) => f.slice(0, 4)).sort()).toEqual(Object.keys(EXPECTED).sort());
});

test.each(files)('%s correlates into the expected transactions', (file) => {
  const { flows, correlator } = replayFlow(load(file));
  expect(flows.map(row)).toEqual(EXPECTED[file.slice(0, 4)]);
  expect(correlator.stats.orphanResponses).toBe(0);
});

test('a request answering a 401/407 is proven by its credentials alone, before any ACK', () => {
  // With no time to wait for ACKs, only a nonce (or nothing) can prove an INVITE.
  const proven = (file: string) =>
    replayFlow(load(file), { ackWaitMs: 1 })
      .flows.filter((f) => f.sip.method === 'INVITE' && f.source.ip.startsWith('client'))
      .map((f) => `${f.sip.cseq} ${f.sip.auth_user ?? '-'} ${f.sip.source_proven}`);
  expect(proven('3.04_successful-session-with-proxy-failure.yaml')).toEqual(['1 - false', '2 alice true', '1 - false']);
  // 3.3: F4 quotes a nonce that differs from F2's by two characters (a typo in the RFC), so it
  // proves nothing; F11's second Proxy-Authorization answers Proxy 2's challenge relayed by F9.
  expect(proven('3.03_session-with-multiple-proxy-authentication.yaml')).toEqual(['1 - false', '2 alice false', '3 alice true']);
  // 3.2 has the same kind of typo (F2 f84f1cec..., F4 wf84f1ceczx...): the nonce proves nothing.
  expect(proven('3.02_session-establishment-through-two-proxies.yaml')).toEqual(['1 - false', '2 alice false']);
});
