// Deterministic synthetic SIP traffic with its own ground truth: benign phones that register and
// call, plus attackers flooding one method at a given rate. Feeds the demo, the benchmarks and the
// integration tests (real captures are used where a test is about parsing real traffic).
import { stableId } from '../core/ids';
import type { SipFlow } from '../core/records';

export interface Attacker {
  ip: string;
  method: 'INVITE' | 'REGISTER' | 'OPTIONS';
  ratePerSecond: number;
  startSecond: number;
  durationSeconds: number;
  userAgent?: string;
}

export interface Scenario {
  startMs: number;
  seconds: number;
  /** benign phones, each at its own address */
  phones: number;
  /** calls per phone per minute */
  callsPerMinute: number;
  attackers: Attacker[];
  seed: number;
  tenant?: string;
}

/** A small PRNG (mulberry32): the same seed always gives the same traffic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PBX = { ip: '192.0.2.10', port: 5060 };
const PHONE_AGENTS = ['Yealink SIP-T54W 96.86.0.100', 'PolycomVVX-VVX_411-UA/6.4.3.4189', 'Cisco/SPA504G-7.6.2f', 'Zoiper rv2.10.19.5', 'Linphone/5.2.0 (belle-sip/5.2.0)'];

/** Phone addresses: 198.51.100.10-249 first, then 100.64.0.0/10 for large offices. */
export function phoneIp(i: number): string {
  if (i < 240) return `198.51.100.${10 + i}`;
  const n = i - 240;
  return `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Generates every record of the scenario for seconds [fromSecond, toSecond), sorted by event time.
 * Generating in slices lets the demo stream forever with bounded memory.
 */
export function generate(s: Scenario, fromSecond = 0, toSecond = s.seconds): SipFlow[] {
  const out: SipFlow[] = [];
  for (let sec = fromSecond; sec < toSecond; sec++) {
    const r = rng(s.seed * 1_000_003 + sec);
    for (let p = 0; p < s.phones; p++) {
      // each phone re-registers every 60 s at its own phase, and calls at random
      if ((sec + p * 7) % 60 === 0) out.push(phoneRecord(s, p, sec, r(), 'REGISTER'));
      if (r() < s.callsPerMinute / 60) out.push(phoneRecord(s, p, sec, r(), 'INVITE'));
    }
    for (const a of s.attackers) {
      if (sec < a.startSecond || sec >= a.startSecond + a.durationSeconds) continue;
      for (let i = 0; i < a.ratePerSecond; i++) out.push(attackRecord(s, a, sec, i));
    }
  }
  return out.sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
}

function base(s: Scenario, id: string, tMs: number, src: { ip: string; port: number }, method: string, status: number, proven: boolean): SipFlow {
  return {
    '@timestamp': new Date(tMs).toISOString(),
    event: { id, kind: 'event', dataset: 'sip.flow' },
    source: src,
    destination: PBX,
    network: { transport: 'udp' },
    ...(s.tenant ? { organization: { id: s.tenant } } : {}),
    sip: { call_id: `${id}@synthetic`, method, status, source_proven: proven },
  };
}

function phoneRecord(s: Scenario, p: number, sec: number, frac: number, method: 'REGISTER' | 'INVITE'): SipFlow {
  const ext = String(1000 + p);
  const t = s.startMs + sec * 1000 + Math.floor(frac * 1000);
  const id = stableId('syn', s.seed, 'phone', p, sec, method);
  const rec = base(s, id, t, { ip: phoneIp(p), port: 5060 }, method, 200, true);
  rec.user_agent = { original: PHONE_AGENTS[p % PHONE_AGENTS.length] };
  rec.sip.from = { user: ext, domain: 'pbx.example' };
  rec.sip.auth_user = ext;
  rec.sip.account = ext;
  if (method === 'INVITE') {
    const dialed = String(1000 + Math.floor(frac * s.phones));
    rec.sip.to = { user: dialed, domain: 'pbx.example' };
    rec.sip.request_uri = `sip:${dialed}@pbx.example`;
  } else {
    rec.sip.to = { user: ext, domain: 'pbx.example' };
    rec.sip.request_uri = 'sip:pbx.example';
  }
  return rec;
}

function attackRecord(s: Scenario, a: Attacker, sec: number, i: number): SipFlow {
  const t = s.startMs + sec * 1000 + Math.floor((i * 1000) / a.ratePerSecond);
  const id = stableId('syn', s.seed, a.ip, a.method, sec, i);
  const status = a.method === 'INVITE' ? 407 : a.method === 'REGISTER' ? 401 : 200;
  const rec = base(s, id, t, { ip: a.ip, port: 5070 }, a.method, status, false);
  // a load generator by default: a scenario names a scanner's User-Agent when it wants one
  rec.user_agent = { original: a.userAgent ?? 'sipp/3.6.1' };
  const user = String(100 + (i % 900));
  rec.sip.from = { user, domain: 'pbx.example' };
  rec.sip.to = { user: a.method === 'INVITE' ? `00972${user}1234` : user, domain: 'pbx.example' };
  rec.sip.request_uri = `sip:${rec.sip.to.user}@pbx.example`;
  return rec;
}

/** The demo scenario: a small office under an INVITE flood and, later, a REGISTER flood. */
export function demoScenario(startMs: number, seconds = 60): Scenario {
  return {
    startMs,
    seconds,
    phones: 20,
    callsPerMinute: 2,
    seed: 7,
    attackers: [
      { ip: '203.0.113.50', method: 'INVITE', ratePerSecond: 150, startSecond: 10, durationSeconds: 5, userAgent: 'sipcli/v1.8' },
      { ip: '203.0.113.51', method: 'REGISTER', ratePerSecond: 120, startSecond: 35, durationSeconds: 5, userAgent: 'VaxSIPUserAgent/3.1' },
    ],
  };
}
