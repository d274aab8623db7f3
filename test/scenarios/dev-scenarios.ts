// The dev scenarios of issue 15: each attack class at a realistic slow rate (10-30 requests a minute,
// over many of the provider's addresses, for 30-90 minutes), mixed into benign background traffic
// (40 phones of the benign day), as NDJSON flow records with a labels file each, in the format
// `callsentry evaluate DIR` reads (X.ndjson + X.labels.json). Deterministic.
// Write them with: node -r ./test/support/swc-require.js test/scenarios/write-dev.ts DIR
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { benignDayTimed } from '../../services/collector/benign-day';
import { mergeByTime, type Timed } from '../../services/collector/merge-by-time';
import { rng } from '../../services/collector/synthetic';
import { stableId } from '../../services/core/ids';
import type { SipFlow, Transport } from '../../services/core/records';

/** Background starts here; every attack ten minutes later. */
export const BACKGROUND_START = Date.parse('2026-03-02T14:00:00Z');
const LEAD_MS = 10 * 60_000;
const TAIL_MS = 10 * 60_000;
const DOMAIN = 'voice.example.net';
/** the provider's public addresses: SBCs at .10 and .11, the rest of the /24 answers nothing or refuses */
const OURS = (i: number) => `192.0.2.${1 + (i % 200)}`;

interface Request {
  src: string;
  dst?: string;
  method: string;
  status?: number;
  ua?: string;
  to?: string;
  from?: string;
  authUser?: string;
  proven?: boolean;
  transport?: Transport;
  callId?: string;
  toTag?: boolean;
}

export interface DevScenario {
  name: string;
  kind: string;
  family: string;
  /** detectors whose finding counts; the branch of issue 15 that builds each is named in the test */
  detectors: string[];
  key: { type: 'ip' | 'cidr' | 'account'; value: string } | Array<{ type: 'ip' | 'cidr' | 'account'; value: string }>;
  sources: string[];
  account?: string;
  minutes: number;
  perMinute: number;
  description: string;
  /** the i-th request of the attack (i from 0) */
  request: (i: number, r: () => number) => Request | Request[];
  /** when the labelled event starts, if not with the first request (ms after it) */
  labelStartMs?: number;
  /** more events in the same capture */
  extra?: Array<Omit<DevScenario, 'request' | 'extra' | 'minutes' | 'perMinute' | 'description'> & { startMs: number; endMs: number }>;
}

const ext = (i: number) => ['101', '202', '303', '404', '505', '1001', '1002', '1010', '1100', '2000', '100', '200', '300', '1000', '1234'][i % 15]! + (i >= 15 ? String(Math.floor(i / 15)) : '');
const FOREIGN_MOBILE = '972521234567';
const PREFIXES = ['011', '1010288011', '1010333011', '1010222011', '1010321011', '9011'];
/** the background phones' accounts (1000-1039) are the only ones that exist */
const exists = (user: string) => /^10[0-3]\d$/.test(user);

export const DEV_SCENARIOS: DevScenario[] = [
  {
    name: 'slow-enumeration',
    kind: 'enumeration',
    family: 'recon',
    detectors: ['sip/extension-enumeration', 'sip/campaign'],
    key: { type: 'ip', value: '203.0.113.66' },
    sources: ['203.0.113.66'],
    minutes: 60,
    perMinute: 20,
    description: 'REGISTERs guessing short extensions (101, 202, 303, 1001, ...) under a forged gateway User-Agent, over 40 of our addresses',
    request: (i) => {
      const user = ext(i);
      return { src: '203.0.113.66', dst: OURS(i % 40), method: 'REGISTER', status: exists(user) ? 401 : 404, ua: 'Cisco-SIPGateway/IOS-12.x', from: user, to: user };
    },
  },
  {
    name: 'open-gateway',
    kind: 'open_gateway',
    family: 'fraud',
    detectors: ['fraud/unauthenticated-call'],
    key: { type: 'ip', value: '203.0.113.77' },
    sources: ['203.0.113.77'],
    minutes: 45,
    perMinute: 15,
    description: 'INVITEs to one foreign mobile number through two prefix variants (011, 9011), answered without authentication by an open gateway',
    request: (i, r) => {
      const x = r();
      return { src: '203.0.113.77', dst: OURS(i % 20), method: 'INVITE', status: x < 0.35 ? 200 : x < 0.6 ? 183 : x < 0.8 ? 486 : 503, ua: 'Asterisk PBX 16.2.1', to: `${i % 2 ? '9011' : '011'}${FOREIGN_MOBILE}`, from: '1000', proven: true };
    },
  },
  {
    name: 'prefix-probing',
    kind: 'prefix_probing',
    family: 'fraud',
    detectors: ['fraud/prefix-probing'],
    key: { type: 'ip', value: '203.0.113.88' },
    sources: ['203.0.113.88'],
    minutes: 30,
    perMinute: 12,
    description: 'one foreign number dialled through six prefix variants (011, 1010XXX+011 x4, 9011), refused (challenged or forbidden)',
    request: (i, r) => ({ src: '203.0.113.88', dst: OURS(i % 10), method: 'INVITE', status: r() < 0.7 ? 407 : 403, ua: 'sipcli/v1.8', to: `${PREFIXES[i % PREFIXES.length]}${FOREIGN_MOBILE}`, from: '100' }),
  },
  {
    name: 'slow-bruteforce',
    kind: 'bruteforce',
    family: 'credential',
    detectors: ['sip/digest-bruteforce', 'sip/digest-bruteforce-account'],
    key: [
      { type: 'ip', value: '203.0.113.99' },
      { type: 'account', value: '1007' },
    ],
    sources: ['203.0.113.99'],
    account: '1007',
    minutes: 60,
    perMinute: 20,
    description: 'slow digest brute force of account 1007: REGISTER -> 401 -> REGISTER with a guessed password -> 401, ten guesses a minute',
    request: (i) => ({ src: '203.0.113.99', dst: '192.0.2.10', method: 'REGISTER', status: 401, ua: 'friendly-scanner', from: '1007', to: '1007', callId: `bf-${i >> 1}`, ...(i % 2 ? { authUser: '1007', proven: true } : {}) }),
  },
  {
    name: 'credential-stuffing',
    kind: 'credential_stuffing',
    family: 'credential',
    detectors: ['sip/credential-stuffing'],
    key: { type: 'ip', value: '203.0.113.111' },
    sources: ['203.0.113.111'],
    minutes: 45,
    perMinute: 15,
    description: 'one leaked password tried once on each of many accounts (REGISTER with credentials, refused), over our two SBCs',
    request: (i) => {
      const user = String(1000 + ((i * 7) % 400));
      return { src: '203.0.113.111', dst: OURS(9 + (i % 2)), method: 'REGISTER', status: exists(user) ? 401 : 403, ua: 'Zoiper rv2.10.19.5', from: user, to: user, authUser: user, proven: true };
    },
  },
  {
    name: 'options-sweep',
    kind: 'options_sweep',
    family: 'recon',
    detectors: ['sip/options-sweep', 'sip/campaign'],
    key: { type: 'ip', value: '203.0.113.122' },
    sources: ['203.0.113.122'],
    minutes: 40,
    perMinute: 20,
    description: 'OPTIONS to every address of our /24, answered by the two SBCs, unanswered elsewhere, under a phone User-Agent',
    request: (i) => {
      const dst = OURS(i);
      return { src: '203.0.113.122', dst, method: 'OPTIONS', ...(dst === '192.0.2.10' || dst === '192.0.2.11' ? { status: 200 } : {}), ua: 'Linphone/5.2.0 (belle-sip/5.2.0)', to: '100' };
    },
  },
  {
    name: 'rotating-flood',
    kind: 'rotating_flood',
    family: 'dos',
    detectors: ['sip/distributed-flood', 'sip/request-flood', 'sip/network-attack'],
    key: { type: 'cidr', value: '203.0.113.0/24' },
    sources: ['203.0.113.0/24'],
    minutes: 30,
    perMinute: 600,
    description: 'an INVITE flood on one SBC from all 254 addresses of one /24, each address at about 2 a minute (under every per-source threshold)',
    request: (i) => ({ src: `203.0.113.${1 + (i % 254)}`, dst: '192.0.2.10', method: 'INVITE', status: 407, ua: 'sipp/3.6.1', to: `00972${100 + (i % 900)}1234`, from: '100' }),
  },
  {
    name: 'dialog-spoofing',
    kind: 'dialog_spoofing',
    family: 'dos',
    detectors: ['sip/dialog-spoofing'],
    key: { type: 'ip', value: '203.0.113.133' },
    sources: ['203.0.113.133'],
    minutes: 30,
    perMinute: 12,
    description: 'BYEs (and a few CANCELs and REFERs) with tags that match no dialog, from an address that is party to none, refused 481',
    request: (i) => ({ src: '203.0.113.133', dst: OURS(9 + (i % 2)), method: i % 6 === 5 ? 'REFER' : i % 6 === 4 ? 'CANCEL' : 'BYE', status: 481, ua: 'Grandstream GXP2170 1.0.11.23', from: String(1000 + (i % 40)), to: String(1000 + ((i + 7) % 40)), toTag: true }),
  },
  {
    name: 'account-compromise',
    kind: 'bruteforce',
    family: 'credential',
    detectors: ['sip/digest-bruteforce', 'sip/digest-bruteforce-account'],
    key: [
      { type: 'ip', value: '203.0.113.144' },
      { type: 'account', value: '1012' },
    ],
    sources: ['203.0.113.144'],
    account: '1012',
    minutes: 30,
    perMinute: 20,
    description: 'a slow brute force of account 1012 that succeeds after 20 minutes (REGISTER 200 from the same source), then calls abroad on it',
    request: (i) => {
      const won = i >= 400; // 20 minutes at 20 a minute
      if (!won) return { src: '203.0.113.144', dst: '192.0.2.10', method: 'REGISTER', status: 401, ua: 'Zoiper rv2.10.19.5', from: '1012', to: '1012', callId: `ac-${i >> 1}`, ...(i % 2 ? { authUser: '1012', proven: true } : {}) };
      if (i === 400) return { src: '203.0.113.144', dst: '192.0.2.10', method: 'REGISTER', status: 200, ua: 'Zoiper rv2.10.19.5', from: '1012', to: '1012', authUser: '1012', proven: true };
      return { src: '203.0.113.144', dst: '192.0.2.10', method: 'INVITE', status: i % 3 ? 200 : 486, ua: 'Zoiper rv2.10.19.5', from: '1012', to: `011${FOREIGN_MOBILE.slice(0, 9)}${String(i % 1000).padStart(3, '0')}`, authUser: '1012', proven: true };
    },
    extra: [
      {
        name: 'account-compromise-success',
        kind: 'account_compromise',
        family: 'credential',
        detectors: ['sip/account-compromise'],
        key: { type: 'account', value: '1012' },
        sources: ['203.0.113.144'],
        account: '1012',
        startMs: 20 * 60_000,
        endMs: 30 * 60_000,
      },
    ],
  },
  {
    name: 'campaign',
    kind: 'campaign',
    family: 'recon',
    detectors: ['sip/campaign'],
    key: { type: 'ip', value: '203.0.113.155' },
    sources: ['203.0.113.155'],
    minutes: 90,
    perMinute: 15,
    description: 'one source touching 200 of our addresses over 90 minutes with OPTIONS, REGISTER and INVITE in turn, each method under its own thresholds',
    request: (i) => {
      const dst = OURS(i * 13);
      const m = ['OPTIONS', 'REGISTER', 'INVITE'][i % 3]!;
      const live = dst === '192.0.2.10' || dst === '192.0.2.11';
      return { src: '203.0.113.155', dst, method: m, ...(live ? { status: m === 'OPTIONS' ? 200 : m === 'REGISTER' ? 404 : 407 } : {}), ua: 'PolycomVVX-VVX_411-UA/6.4.3.4189', to: m === 'INVITE' ? `011${FOREIGN_MOBILE}` : '100', from: '100' };
    },
  },
];

function* attack(s: DevScenario, startMs: number): Generator<Timed<SipFlow>> {
  const r = rng(parseInt(stableId('dev', s.name).slice(0, 8), 16));
  const total = s.minutes * s.perMinute;
  const gapMs = 60_000 / s.perMinute;
  for (let i = 0; i < total; i++) {
    const at = Math.floor(startMs + i * gapMs + r() * gapMs * 0.3);
    const reqs = s.request(i, r);
    for (const q of Array.isArray(reqs) ? reqs : [reqs]) yield { atMs: at, value: flow(s, q, at, i) };
  }
}

function flow(s: DevScenario, q: Request, atMs: number, i: number): SipFlow {
  const callId = `${q.callId ?? stableId('dev', s.name, i)}@${q.src}`;
  const user = q.to ?? '100';
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { id: stableId('dev', s.name, i, q.method, q.src), kind: 'event', dataset: 'sip.flow' },
    source: { ip: q.src, port: 5060 + (i % 7) },
    destination: { ip: q.dst ?? '192.0.2.10', port: 5060 },
    network: { transport: q.transport ?? 'udp' },
    sip: {
      call_id: callId,
      method: q.method,
      cseq: q.callId ? 1 + (i % 2) : 1,
      request_uri: `sip:${user}@${q.dst ?? '192.0.2.10'}`,
      from: { user: q.from ?? '100', domain: q.dst ?? DOMAIN },
      to: { user, domain: q.dst ?? DOMAIN },
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.authUser ? { auth_user: q.authUser } : {}),
      source_proven: q.proven ?? false,
      // what the sensor's dialog tracking says of an in-dialog request whose tags match no dialog
      ...(q.toTag ? { dialog: { known: false, from_party: false } } : {}),
    },
    ...(q.ua ? { user_agent: { original: q.ua } } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function labelsOf(s: DevScenario): object {
  const start = BACKGROUND_START + LEAD_MS;
  const end = start + s.minutes * 60_000;
  const event = (e: { name: string; kind: string; family: string; detectors: string[]; key: DevScenario['key']; sources: string[]; account?: string }, a: number, b: number, description?: string) => ({
    id: e.name,
    kind: e.kind,
    family: e.family,
    detectors: e.detectors,
    key: e.key,
    source_ip: e.sources,
    account: e.account ?? null,
    start: iso(a),
    end: iso(b),
    expected_block: true,
    ...(description ? { description } : {}),
  });
  return {
    dataset: 'dev (synthetic, issue 15)',
    description: s.description,
    rate_per_minute: s.perMinute,
    address_plan: { pbx: { ip: '192.0.2.10' }, carrier: { ip: '198.19.0.1' } },
    events: [event(s, start + (s.labelStartMs ?? 0), end, s.description), ...(s.extra ?? []).map((x) => event(x, start + x.startMs, start + x.endMs))],
  };
}

/** Writes X.ndjson and X.labels.json for every dev scenario into dir. */
export async function writeDevScenarios(dir: string, only?: string[]): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const s of DEV_SCENARIOS.filter((x) => !only || only.includes(x.name))) {
    const hours = (LEAD_MS + s.minutes * 60_000 + TAIL_MS) / 3_600_000;
    const background = benignDayTimed({ startMs: BACKGROUND_START, hours, phones: 40, seed: 15, outage: false });
    const out = fs.createWriteStream(path.join(dir, `${s.name}.ndjson`));
    for (const t of mergeByTime([background, attack(s, BACKGROUND_START + LEAD_MS)])) {
      if (!out.write(JSON.stringify(t.value) + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    fs.writeFileSync(path.join(dir, `${s.name}.labels.json`), JSON.stringify(labelsOf(s), null, 1) + '\n');
    written.push(s.name);
  }
  return written;
}
