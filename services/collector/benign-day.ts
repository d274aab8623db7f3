// A benign day of a SIP provider, for the false-positive budget (issue 15): N phones over H hours of
// event time, streamed in event-time order with memory bounded by the number of phones. Each phone
// is two small state machines (its registrations, its calls) merged by time; nothing of the day is
// held. Every transaction has the shape the collector gives a real capture: REGISTER -> 401 ->
// REGISTER with credentials -> 200, INVITE -> 407 -> INVITE with credentials -> 200/486/480/487,
// the ACK of a 2xx and the BYE as flows of their own, and source_proven where the collector sets it
// (an answer to our nonce, an ACK or BYE echoing our tag, a TCP connection).
// What it holds, and at which addresses, is in BENIGN_DAY_PLAN and in the README.
import { stableId } from '../core/ids';
import type { SipFlow, Transport } from '../core/records';
import { mergeByTime, type Timed } from './merge-by-time';
import { phoneIp, rng } from './synthetic';

export interface BenignDayOptions {
  startMs: number;
  hours: number;
  phones: number;
  seed: number;
  /** the morning outage and registration avalanche (default: yes) */
  outage?: boolean;
}

/** The provider and its customers: documentation and benchmarking ranges only. */
export const BENIGN_DAY_PLAN = {
  /** the provider's own SBCs; phones register to one of them */
  sbcs: ['192.0.2.10', '192.0.2.11'],
  domain: 'voice.example.net',
  /** offices of 200 phones behind one NAT address each (as many as the phone count allows, at most two) */
  natSites: ['203.0.113.10', '203.0.113.20'],
  natSiteSize: 200,
  /** a call centre: its agents behind one address, dialling hundreds of outside numbers an hour */
  callCentre: '203.0.113.30',
  /** carriers: OPTIONS keep-alives over UDP, inbound calls to our numbers without credentials (peered by address) */
  carriers: ['198.19.0.1', '198.19.0.2'],
  /** the provider's own numbers (DIDs, +1 212 501 xxxx): what the carriers deliver inbound */
  didPrefix: '1212501',
  /** customer SBCs: OPTIONS keep-alives over TCP */
  customerSbcs: ['198.19.1.1', '198.19.1.2'],
  /** one phone in this many has a stale password and retries every 60 s, forever */
  staleEvery: 200,
  /** the outage: every phone silent, then all re-register within avalancheSeconds */
  outageStartHour: 5 + 50 / 60,
  outageMinutes: 10,
  avalancheSeconds: 180,
} as const;

const PLAN = BENIGN_DAY_PLAN;
const DESK_AGENTS = ['Yealink SIP-T54W 96.86.0.100', 'PolycomVVX-VVX_411-UA/6.4.3.4189', 'Cisco/SPA504G-7.6.2f', 'Grandstream GXP2170 1.0.11.23'];
const SOFT_AGENTS = ['Zoiper rv2.10.19.5', 'Linphone/5.2.0 (belle-sip/5.2.0)', 'MicroSIP/3.21.3'];
const AREA_CODES = ['212', '312', '415', '617', '305', '713', '206', '404'];
/** foreign numbers a household or business really calls: fixed and mobile, no premium ranges */
const FOREIGN = ['442079460', '447700900', '49301234', '491511234', '33142685', '33612345', '919876543', '525512345', '63288765', '34912345'];

interface Phone {
  index: number;
  ext: string;
  ip: string;
  port: number;
  sbc: string;
  ua: string;
  soft: boolean;
  /** seconds between registrations */
  regInterval: number;
  /** how this phone dials abroad and at home */
  intlPrefix: () => string;
  nationalForm: (tenDigits: string) => string;
  intlCaller: boolean;
  stale: boolean;
  agent: boolean;
}

/** Records of a benign day in event-time order. */
export function* benignDay(o: BenignDayOptions): Generator<SipFlow> {
  for (const t of benignDayTimed(o)) yield t.value;
}

/** The same, each record with its event time (to merge with other streams). */
export function benignDayTimed(o: BenignDayOptions): Generator<Timed<SipFlow>> {
  return mergeByTime(streams(o));
}

function* streams(o: BenignDayOptions): Generator<Iterable<Timed<SipFlow>>> {
  const day = new Day(o);
  for (let i = 0; i < o.phones; i++) {
    const p = day.phone(i);
    yield p.stale ? day.staleRegistrations(p) : day.registrations(p);
    if (!p.stale) yield day.calls(p);
  }
  yield day.keepAlives(PLAN.carriers[0], 30, 'udp', 'Sonus SBC 10.1');
  yield day.keepAlives(PLAN.carriers[1], 60, 'udp', 'Ribbon SBC Core 11.1');
  yield day.keepAlives(PLAN.customerSbcs[0], 30, 'tcp', 'Cisco-SIPGateway/IOS-17.6.1');
  yield day.keepAlives(PLAN.customerSbcs[1], 60, 'tcp', 'AudioCodes-Sip-Gateway-Mediant 800/v.7.40A');
}

class Day {
  readonly endMs: number;
  readonly outStartMs: number;
  readonly outEndMs: number;
  readonly agents: number;
  readonly natSites: number;

  constructor(readonly o: BenignDayOptions) {
    this.endMs = o.startMs + o.hours * 3_600_000;
    // the outage comes in the morning, or a quarter into a shorter run
    this.outStartMs = o.outage === false ? Infinity : o.startMs + Math.min(PLAN.outageStartHour, o.hours / 4) * 3_600_000;
    this.outEndMs = this.outStartMs + PLAN.outageMinutes * 60_000;
    this.agents = Math.min(40, Math.floor(o.phones / 50));
    this.natSites = Math.min(PLAN.natSites.length, Math.floor((o.phones - this.agents) / (2 * PLAN.natSiteSize)));
  }

  private random(...parts: Array<string | number>): () => number {
    const h = stableId(this.o.seed, ...parts);
    return rng(parseInt(h.slice(0, 8), 16));
  }

  phone(i: number): Phone {
    const r = this.random('phone', i);
    const ext = String(1000 + i);
    const agent = i < this.agents;
    const site = agent ? -1 : Math.floor((i - this.agents) / PLAN.natSiteSize);
    const natted = !agent && site < this.natSites;
    const ip = agent ? PLAN.callCentre : natted ? PLAN.natSites[site]! : phoneIp(i);
    const port = agent || natted ? 20_000 + (i % 40_000) : 5060;
    const soft = agent || (!natted && r() < 0.3);
    const ua = soft ? SOFT_AGENTS[i % SOFT_AGENTS.length]! : DESK_AGENTS[i % DESK_AGENTS.length]!;
    const x = r();
    const regInterval = x < 0.1 ? 60 : x < 0.3 ? 120 + Math.floor(r() * 480) : 600 + Math.floor(r() * 3000);
    // site 0 dials an outside line first (9), site 1 is a European office (00), a softphone uses +
    const intlPrefix = agent || soft ? () => '+' : natted && site === 0 ? () => '9011' : natted && site === 1 ? () => '00' : () => (r() < 0.3 ? '+' : '011');
    const nationalForm = agent || soft ? (n: string) => `+1${n}` : natted && site === 0 ? (n: string) => `91${n}` : (n: string) => `1${n}`;
    return {
      index: i,
      ext,
      ip,
      port,
      sbc: PLAN.sbcs[i % PLAN.sbcs.length]!,
      ua,
      soft,
      regInterval,
      intlPrefix,
      nationalForm,
      intlCaller: !agent && r() < 0.05,
      stale: !agent && i % PLAN.staleEvery === PLAN.staleEvery - 63,
      agent,
    };
  }

  private inOutage(t: number): boolean {
    return t >= this.outStartMs && t < this.outEndMs;
  }

  /** Re-registration every regInterval seconds; after the outage, within the avalanche window. */
  *registrations(p: Phone): Generator<Timed<SipFlow>> {
    const r = this.random('reg', p.index);
    let t = this.o.startMs + Math.floor(r() * p.regInterval * 1000);
    let avalanche = this.outEndMs < this.endMs;
    let callId = `${stableId(this.o.seed, 'reg', p.index)}@${p.ip}`;
    let cseq = 1;
    for (;;) {
      if (avalanche && t >= this.outStartMs) {
        // the phone lost its registration: a new Call-ID, within a few minutes of the SBC's return
        t = this.outEndMs + Math.floor(r() * PLAN.avalancheSeconds * 1000);
        callId = `${stableId(this.o.seed, 'reg', p.index, 'after-outage')}@${p.ip}`;
        cseq = 1;
        avalanche = false;
      }
      if (t >= this.endMs) return;
      const answer = t + 15 + Math.floor(r() * 60);
      yield this.at(t, this.register(p, callId, cseq++, 401, false, false));
      yield this.at(answer, this.register(p, callId, cseq++, 200, true, true));
      t += Math.floor(p.regInterval * 1000 * (0.98 + 0.04 * r()));
    }
  }

  /** A phone whose password was changed on the server: challenged, answers wrongly, every 60 s. */
  *staleRegistrations(p: Phone): Generator<Timed<SipFlow>> {
    const r = this.random('stale', p.index);
    const callId = `${stableId(this.o.seed, 'stale', p.index)}@${p.ip}`;
    let cseq = 1;
    for (let t = this.o.startMs + Math.floor(r() * 60_000); t < this.endMs; t += 60_000 + Math.floor(r() * 500)) {
      if (this.inOutage(t)) continue;
      yield this.at(t, this.register(p, callId, cseq++, 401, false, false));
      // it answered our nonce: proven, and wrong
      yield this.at(t + 20 + Math.floor(r() * 40), this.register(p, callId, cseq++, 401, true, true));
    }
  }

  private register(p: Phone, callId: string, cseq: number, status: number, withAuth: boolean, proven: boolean): SipFlow {
    const rec = this.flow({ ip: p.ip, port: p.port }, { ip: p.sbc, port: 5060 }, 'udp', 'REGISTER', callId, cseq, status, proven, p.ua);
    rec.sip.request_uri = `sip:${PLAN.domain}`;
    rec.sip.from = { user: p.ext, domain: PLAN.domain };
    rec.sip.to = { user: p.ext, domain: PLAN.domain };
    if (withAuth) rec.sip.auth_user = p.ext;
    return rec;
  }

  /** Calls out and in, one at a time, mostly in business hours (13:00-22:00 UTC, 08-17 US Eastern). */
  *calls(p: Phone): Generator<Timed<SipFlow>> {
    const r = this.random('calls', p.index);
    // per hour: agents call every few minutes in their shift (12:00-24:00 UTC); others a few times a day
    const peak = p.agent ? 20 : 1.5;
    const rate = (t: number): number => {
      const h = new Date(t).getUTCHours();
      if (p.agent) return h >= 12 ? peak : 0;
      return h >= 13 && h < 22 ? peak : 0.08;
    };
    let t = this.o.startMs;
    let n = 0;
    for (;;) {
      t += Math.floor((-Math.log(1 - r()) / peak) * 3_600_000);
      if (t >= this.endMs) return;
      if (r() >= rate(t) / peak || this.inOutage(t)) continue;
      const inbound = !p.agent && r() < 0.3;
      const calls = inbound ? this.inboundCall(p, t, n++, r) : this.outboundCall(p, t, n++, r);
      for (const c of calls) {
        if (c.atMs >= this.endMs) return;
        t = c.atMs;
        // the SBC was down: what a call sent in the outage never reached it
        if (!this.inOutage(c.atMs)) yield c;
      }
    }
  }

  private dialled(p: Phone, r: () => number): string {
    const x = r();
    if (p.agent) return p.nationalForm(this.nanp(r)); // a lead list: a new number every call
    if (p.intlCaller && x < 0.25) return `${p.intlPrefix()}${FOREIGN[p.index % FOREIGN.length]}${String(p.index % 1000).padStart(3, '0')}`;
    if (x < 0.55) return String(1000 + Math.floor(r() * this.o.phones));
    return p.nationalForm(this.nanp(r));
  }

  private nanp(r: () => number): string {
    const area = AREA_CODES[Math.floor(r() * AREA_CODES.length)]!;
    const exchange = 200 + Math.floor(r() * 790); // NXX, never 555
    return `${area}${exchange === 555 ? 556 : exchange}${String(Math.floor(r() * 10_000)).padStart(4, '0')}`;
  }

  private *outboundCall(p: Phone, t: number, n: number, r: () => number): Generator<Timed<SipFlow>> {
    const to = this.dialled(p, r);
    const internal = /^\d{4}$/.test(to);
    const callId = `${stableId(this.o.seed, 'call', p.index, n)}@${p.ip}`;
    const me = { ip: p.ip, port: p.port };
    const sbc = { ip: p.sbc, port: 5060 };
    const invite = (at: number, cseq: number, status: number, auth: boolean, ringMs: number): Timed<SipFlow> => {
      const rec = this.flow(me, sbc, 'udp', 'INVITE', callId, cseq, status, true, p.ua, ringMs);
      rec.sip.request_uri = `sip:${to}@${PLAN.domain}`;
      rec.sip.from = { user: p.ext, domain: PLAN.domain };
      rec.sip.to = { user: to, domain: PLAN.domain };
      if (auth) rec.sip.auth_user = p.ext;
      return this.at(at, rec);
    };
    // the first INVITE is challenged; its ACK echoes our tag, so the collector marks it proven
    yield invite(t, 1, 407, false, 5);
    const ring = 2000 + Math.floor(r() * (p.agent ? 25_000 : 20_000));
    const x = r();
    const outcome = p.agent
      ? x < 0.35 ? 200 : x < 0.5 ? 486 : x < 0.7 ? 480 : x < 0.95 ? 487 : 404
      : internal ? (x < 0.75 ? 200 : x < 0.85 ? 486 : x < 0.95 ? 480 : 487)
        : x < 0.65 ? 200 : x < 0.75 ? 486 : x < 0.85 ? 480 : 487;
    const t2 = t + 30 + Math.floor(r() * 40);
    yield invite(t2, 2, outcome, true, ring);
    if (outcome === 487) {
      // the caller gave up: a CANCEL of its own, answered 200
      const cancel = this.flow(me, sbc, 'udp', 'CANCEL', callId, 2, 200, false, p.ua, 2);
      cancel.sip.request_uri = `sip:${to}@${PLAN.domain}`;
      cancel.sip.from = { user: p.ext, domain: PLAN.domain };
      cancel.sip.to = { user: to, domain: PLAN.domain };
      yield this.at(t2 + ring, cancel);
      return;
    }
    if (outcome !== 200) return;
    yield* this.dialogEnd(me, sbc, callId, p.ext, to, t2 + ring, p.ua, r, p.agent ? 240_000 : 600_000);
  }

  private *inboundCall(p: Phone, t: number, n: number, r: () => number): Generator<Timed<SipFlow>> {
    const carrier = { ip: PLAN.carriers[n % PLAN.carriers.length]!, port: 5060 };
    const sbc = { ip: PLAN.sbcs[0], port: 5060 };
    const callId = `${stableId(this.o.seed, 'in', p.index, n)}@${carrier.ip}`;
    const did = `+${PLAN.didPrefix}${String(10_000 + p.index).slice(-4)}`;
    const caller = `+1${this.nanp(r)}`;
    const ring = 1000 + Math.floor(r() * 15_000);
    const x = r();
    const status = x < 0.7 ? 200 : x < 0.8 ? 486 : x < 0.9 ? 480 : 487;
    // a peered carrier: no challenge; its ACK echoes our tag
    const rec = this.flow(carrier, sbc, 'udp', 'INVITE', callId, 1, status, true, 'Sonus SBC 10.1', ring);
    rec.sip.request_uri = `sip:${did}@${sbc.ip}`;
    rec.sip.from = { user: caller, domain: carrier.ip };
    rec.sip.to = { user: did, domain: PLAN.domain };
    yield this.at(t, rec);
    if (status !== 200) return;
    yield* this.dialogEnd(carrier, sbc, callId, caller, did, t + ring, 'Sonus SBC 10.1', r, 600_000);
  }

  /** The ACK of the 2xx, then a BYE from either party after the talk time; both echo the tags. */
  private *dialogEnd(
    caller: { ip: string; port: number },
    callee: { ip: string; port: number },
    callId: string,
    from: string,
    to: string,
    answeredMs: number,
    ua: string,
    r: () => number,
    maxTalkMs: number,
  ): Generator<Timed<SipFlow>> {
    const ack = this.flow(caller, callee, 'udp', 'ACK', callId, 2, undefined, true, ua);
    ack.sip.request_uri = `sip:${to}@${callee.ip}`;
    ack.sip.from = { user: from, domain: PLAN.domain };
    ack.sip.to = { user: to, domain: PLAN.domain };
    yield this.at(answeredMs + 20, ack);
    const hangUp = answeredMs + 5000 + Math.floor(r() * maxTalkMs);
    const callerHangsUp = r() < 0.5;
    const bye = callerHangsUp
      ? this.flow(caller, callee, 'udp', 'BYE', callId, 3, 200, true, ua, 3)
      : this.flow(callee, caller, 'udp', 'BYE', callId, 1, 200, true, undefined, 3);
    bye.sip.request_uri = callerHangsUp ? `sip:${to}@${callee.ip}` : `sip:${from}@${caller.ip}:${caller.port}`;
    bye.sip.from = callerHangsUp ? { user: from, domain: PLAN.domain } : { user: to, domain: PLAN.domain };
    bye.sip.to = callerHangsUp ? { user: to, domain: PLAN.domain } : { user: from, domain: PLAN.domain };
    yield this.at(hangUp, bye);
  }

  /** OPTIONS every `every` seconds from a peer, answered 200 (proven only over a connection). */
  *keepAlives(ip: string, every: number, transport: Transport, ua: string): Generator<Timed<SipFlow>> {
    const r = this.random('options', ip);
    const src = { ip, port: transport === 'tcp' ? 40_000 + Math.floor(r() * 20_000) : 5060 };
    let cseq = 1;
    for (let t = this.o.startMs + Math.floor(r() * every * 1000); t < this.endMs; t += every * 1000) {
      if (this.inOutage(t)) continue;
      for (const sbc of PLAN.sbcs) {
        const rec = this.flow(src, { ip: sbc, port: 5060 }, transport, 'OPTIONS', `${stableId(this.o.seed, 'options', ip, cseq)}@${ip}`, cseq, 200, transport === 'tcp', ua, 2);
        rec.sip.request_uri = `sip:${sbc}:5060`;
        rec.sip.from = { user: 'ping', domain: ip };
        rec.sip.to = { domain: sbc };
        cseq++;
        yield this.at(t + (sbc === PLAN.sbcs[0] ? 0 : 1), rec);
      }
    }
  }

  private at(atMs: number, value: SipFlow): Timed<SipFlow> {
    value['@timestamp'] = new Date(atMs).toISOString();
    return { atMs, value };
  }

  private flow(
    src: { ip: string; port: number },
    dst: { ip: string; port: number },
    transport: Transport,
    method: string,
    callId: string,
    cseq: number,
    status: number | undefined,
    proven: boolean,
    ua: string | undefined,
    durationMs = 1,
  ): SipFlow {
    const id = stableId('benign', this.o.seed, callId, method, cseq, src.ip);
    return {
      '@timestamp': '',
      event: { id, kind: 'event', dataset: 'sip.flow', duration: durationMs * 1_000_000 },
      source: src,
      destination: dst,
      network: { transport },
      sip: { call_id: callId, method, cseq, ...(status !== undefined ? { status } : {}), source_proven: proven || transport === 'tcp' },
      ...(ua ? { user_agent: { original: ua } } : {}),
    };
  }
}
