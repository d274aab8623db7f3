// PROTOS c07-sip: 4,527 malformed INVITE test cases (University of Oulu). Every case, with its
// placeholders filled, must parse to a result: accepted or refused, never thrown, never an
// internal error.
import { parseSipMessage } from './parse-message';
import type { ParseFailure } from './sip-message';
import { dataPath } from './test-support/data-dir';
import { readTarGz, type TarEntry } from './test-support/tar';

const PLACEHOLDERS: Record<string, string> = {
  '<From-Address>': '192.0.2.10',
  '<From-IP>': '192.0.2.10',
  '<From>': 'caller@192.0.2.10',
  '<To>': 'callee@192.0.2.20',
  '<Local-Port>': '5060',
  '<Call-ID>': 'protos-c07',
  '<CSeq>': '1',
  '<Branch-ID>': '42',
  '<Teardown-Method>': 'CANCEL',
};

/** A case file is a sequence of "<length> <message>" records; fill placeholders, fix Content-Length. */
function messagesOf(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < file.length) {
    const space = file.indexOf(0x20, pos);
    const length = Number(file.toString('latin1', pos, space));
    if (space < 0 || !Number.isInteger(length) || length < 0) throw new Error(`bad record at ${pos}`);
    let text = file.toString('latin1', space + 1, space + 1 + length);
    for (const [k, v] of Object.entries(PLACEHOLDERS)) text = text.split(k).join(v);
    const blank = text.indexOf('\r\n\r\n');
    const bodyLength = blank < 0 ? 0 : text.length - blank - 4;
    out.push(Buffer.from(text.split('<Content-Length>').join(String(bodyLength)), 'latin1'));
    pos = space + 1 + length;
  }
  return out;
}

let cases: TarEntry[] = [];

beforeAll(() => {
  cases = readTarGz(dataPath('sip-messages', 'protos-c07-sip-cases.tar.gz')).filter((e) => /^cases\/\d+$/.test(e.name));
});

test('the suite holds 4,527 cases', () => {
  expect(cases.length).toBe(4527);
});

test('every case parses to a result without throwing', () => {
  const outcomes = new Map<string, number>();
  let messages = 0;
  for (const entry of cases) {
    for (const message of messagesOf(entry.data)) {
      messages++;
      for (const stream of [false, true]) {
        const r = parseSipMessage(message, { stream });
        const key = r.ok ? 'accepted' : r.reason;
        if (!stream) outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        expect(key).not.toBe<ParseFailure>('internal-error');
      }
    }
  }
  expect(messages).toBeGreaterThanOrEqual(4527);
  // The suite is hostile by design, yet most cases keep the fields a monitor needs.
  expect(outcomes.get('accepted')).toBeGreaterThan(1000);
  expect(outcomes.get('too-large')).toBeGreaterThan(0); // the overflow cases (up to 140 KB)
});

test('case 0 (the valid reference INVITE) and its teardown parse cleanly', () => {
  const [invite, teardown] = messagesOf(cases.find((e) => e.name === 'cases/0000000')!.data);
  const first = parseSipMessage(invite!);
  const second = parseSipMessage(teardown!);
  expect(first.ok && first.message.defects).toEqual([]);
  expect(first.ok && first.message.method).toBe('INVITE');
  expect(second.ok && second.message.method).toBe('CANCEL');
});
