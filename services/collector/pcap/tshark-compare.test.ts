// Our SIP message counts against Wireshark's on every shared capture: requests per method,
// responses per status and CSeq method. Where the two legitimately differ, the difference is
// written down below with the reason; anything else fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, dataPath } from '../sip/test-support/data-dir';
import { runCapture } from './test-support/run-capture';

type Counts = Record<string, number>;

interface Difference {
  /** ours minus tshark's, per request method */
  requests?: Counts;
  /** ours minus tshark's, per "status method" */
  responses?: Counts;
  why: string;
}

const KNOWN_DIFFERENCES: Record<string, Difference> = {
  'lab-dev/pbx.pcap': {
    requests: { INVITE: +1, BYE: -3 },
    responses: { '407 INVITE': +1 },
    why:
      "tshark's GPRS-NS heuristic claims one call whose phone used UDP port 2157, so it misses that INVITE and its 407; " +
      'and tshark counts the three BYEs quoted inside ICMP port-unreachable errors, which are copies of BYEs the PBX sent ' +
      '(already counted), not messages anyone received',
  },
};

const captures = ['pcap-attacks', 'pcap-benign', 'pcap-encrypted']
  .flatMap((dir) => fs.readdirSync(path.join(DATA_DIR, dir)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${dir}/${f}`))
  .concat('lab-dev/pbx.pcap');

function requireTshark(): void {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('tshark is not installed: run `bash infra/setup-test.sh` or `npm run test:all` (they install the packages listed in infra/apt-packages.txt)');
  }
}

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
  if (counts[key] === 0) delete counts[key];
}

/** tshark's view: one line per frame, several values per field when a frame holds several messages. */
function tsharkCounts(file: string): { requests: Counts; responses: Counts } {
  const out = spawnSync(
    'tshark',
    ['-n', '-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (out.status !== 0) throw new Error(`tshark failed on ${file}: ${out.stderr}`);
  const requests: Counts = {};
  const responses: Counts = {};
  for (const line of out.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [methods = '', statuses = '', cseqs = ''] = line.split('\t');
    const m = methods ? methods.split(',') : [];
    const s = statuses ? statuses.split(',') : [];
    const c = cseqs ? cseqs.split(',') : [];
    for (const method of m) bump(requests, method);
    // responses take the CSeq methods left after the requests' (frames here hold one message each)
    const responseCseqs = c.slice(c.length - s.length);
    s.forEach((status, i) => bump(responses, `${status} ${responseCseqs[i] ?? '?'}`));
  }
  return { requests, responses };
}

function applyDifference(counts: Counts, difference: Counts | undefined): Counts {
  const out = { ...counts };
  for (const [key, by] of Object.entries(difference ?? {})) bump(out, key, by);
  return out;
}

const plain = (c: Record<string, number>): Counts => Object.fromEntries(Object.entries(c).sort());

describe('SIP counts match tshark', () => {
  beforeAll(requireTshark);

  test.each(captures)('%s', async (name) => {
    const file = dataPath(name);
    const theirs = tsharkCounts(file);
    const { stats } = await runCapture(file, { media: false });
    const known = KNOWN_DIFFERENCES[name];
    expect(plain(stats.sip.requestsByMethod)).toEqual(plain(applyDifference(theirs.requests, known?.requests)));
    expect(plain(stats.sip.responsesByStatus)).toEqual(plain(applyDifference(theirs.responses, known?.responses)));
  }, 120_000);
});

test('lab-dev/pbx.pcap matches the counts in its summary.txt', async () => {
  const summary = fs.readFileSync(dataPath('lab-dev', 'summary.txt'), 'utf8');
  const section = summary.slice(summary.indexOf('=== pbx.pcap'), summary.indexOf('User agents per source IP'));
  const parse = (label: string, keyOf: (k: string) => string): Counts => {
    const line = section.split('\n').find((l) => l.startsWith(label))!;
    return Object.fromEntries(
      line
        .slice(label.length)
        .split(',')
        .map((kv) => kv.trim().split('='))
        .map(([k, v]) => [keyOf(k!), Number(v)]),
    );
  };
  const requests = parse('SIP methods:', (k) => k);
  const responses = parse('SIP responses:', (k) => k);
  const { stats } = await runCapture(dataPath('lab-dev', 'pbx.pcap'), { media: false });
  // The summary counts the three BYEs quoted in ICMP errors (see KNOWN_DIFFERENCES); nothing else differs.
  expect(plain(stats.sip.requestsByMethod)).toEqual(plain(applyDifference(requests, { BYE: -3 })));
  expect(plain(stats.sip.responsesByStatus)).toEqual(plain(responses));
  expect(requests).toMatchObject({ INVITE: 4736, ACK: 3236, REGISTER: 2816, BYE: 137, OPTIONS: 2 });
}, 120_000);
