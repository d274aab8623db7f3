// The verdict service: the state stage, the two interfaces over it, and the deny-call decisions.
// Started by `callsentry verdict` and by the embedded `callsentry start`.
import { randomUUID } from 'node:crypto';
import { encode } from '../core/codec';
import type { AuditEvent, Decision } from '../core/records';
import type { Subscription } from '../core/ports';
import { runStage } from '../core/stage';
import type { Runtime } from '../runtime/runtime';
import { CallsentryError } from '../core/errors';
import { DenyDecisions } from './deny-decisions';
import { startVerdictHttp, type ListeningServer } from './http-server';
import { callContext, judge } from './judge';
import { checkExposure, splitListen } from './listen-address';
import { RateDeck } from './rate-deck';
import { startVerdictSip, type SipServer } from './sip-server';
import { VerdictState } from './state';
import { verdictStage } from './verdict-stage';
import type { CallQuery, Verdict } from './verdict';

/** Sub-millisecond buckets: the targets are 1 ms (SIP) and 2 ms (HTTP) at p99. */
export const VERDICT_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05];
/** The ledger sweep: a slice every second, small enough not to hold up a verdict (100,000 accounts take under a minute a round). */
const LEDGER_SWEEP_MS = 1000;
const LEDGER_SWEEP_BUDGET = 2000;
/** at most one warning a minute while ledgers are displaced at their bound */
const BOUND_WARN_MS = 60_000;

export interface VerdictService {
  state: VerdictState;
  http?: ListeningServer;
  sip?: SipServer;
  deny: DenyDecisions;
  decide(q: CallQuery, iface: 'http' | 'sip'): Verdict;
  subscriptions: Subscription[];
  stop(): Promise<void>;
}

export interface VerdictServiceOptions {
  env?: NodeJS.ProcessEnv;
  /** a state batch was applied (tests) */
  onApplied?: (topic: string, records: number) => void;
  /** a prepared state (benchmarks); default: a fresh one fed by the bus */
  state?: VerdictState;
  deck?: RateDeck;
  /** false: no bus consumer (benchmarks with a prepared state) */
  consume?: boolean;
}

export async function startVerdictService(rt: Runtime, o: VerdictServiceOptions = {}): Promise<VerdictService> {
  const s = rt.cfg.verdicts;
  const env = o.env ?? process.env;
  const log = rt.log.child({ component: 'verdict' });
  const token = env[s.token_env] || undefined;
  if (token !== undefined && token.length < 16) throw new CallsentryError('BAD_CONFIG', `the verdict token in ${s.token_env} is shorter than 16 characters`);
  const httpAt = s.http_listen ? splitListen('verdicts.http_listen', s.http_listen) : undefined;
  const sipAt = s.sip_listen ? splitListen('verdicts.sip_listen', s.sip_listen) : undefined;
  if (httpAt) checkExposure('verdicts.http_listen', httpAt.host, token, s.token_env);
  if (sipAt) checkExposure('verdicts.sip_listen', sipAt.host, token, s.token_env);
  const deck = o.deck ?? (s.rate_deck_file ? RateDeck.load(s.rate_deck_file) : RateDeck.empty());
  const state = o.state ?? new VerdictState(s, deck);

  const m = rt.metrics;
  const verdicts = m.counter('callsentry_verdicts_total', 'Pre-call verdicts answered, by interface, verdict and rule');
  const seconds = m.histogram('callsentry_verdict_seconds', 'Time to judge one call (state lookups and rules), by interface', VERDICT_BUCKETS);
  const refused = m.counter('callsentry_verdict_refused_total', 'Verdict requests refused (bad input, wrong token, not an allowed client), by interface and reason');
  const up = m.gauge('callsentry_verdict_up', 'The verdict service is answering (1); absent or 0: proxies fall back to their fail-open or fail-closed path');
  const fed = m.counter('callsentry_verdict_state_records_total', 'Records the verdict state has applied, by topic');
  const denyDecisions = m.counter('callsentry_verdict_deny_decisions_total', 'deny-call decisions published (one per target per window)');
  const ledgers = m.gauge('callsentry_verdict_ledgers', 'Call ledgers (accounts and tenants) the verdict state holds');
  const displaced = m.counter('callsentry_verdict_ledgers_displaced_total', 'Call ledgers dropped at verdicts.max_ledgers_per_partition (outcome=displaced), or admitted over it because every ledger looked at held an open call (outcome=over)');

  const producer = await rt.bus.producer();
  const publish = (topic: 'decisions.v1' | 'audit.v1', key: string, record: Decision | AuditEvent) =>
    producer.send(rt.topics.name(topic), [encode(key, record, Date.parse(record['@timestamp']))]).catch((err) => log.error({ err, topic }, 'could not publish; the verdict stands'));
  const deny = new DenyDecisions({
    windowSeconds: s.decision_window_seconds,
    publishDecision: (d) => {
      denyDecisions.inc();
      log.info({ decision: d.id, target: d.target, rule: d.origin.id }, 'calls denied: deny-call decision');
      void publish('decisions.v1', d.target.value, d);
    },
    publishAudit: (e) => void publish('audit.v1', e.ref!.id, e),
  });
  const sweep = setInterval(() => deny.sweep(rt.clock.now()), Math.max(1000, (s.decision_window_seconds * 1000) / 4));
  sweep.unref();
  // ledgers whose history has aged out are dropped a slice at a time; the bound's work is counted here
  const counted = { displaced: 0, over: 0 };
  const warned = { at: Number.NEGATIVE_INFINITY, displaced: 0, over: 0 };
  const ledgerSweep = setInterval(() => {
    const now = rt.clock.now();
    state.sweep(now, LEDGER_SWEEP_BUDGET);
    ledgers.set({}, state.ledgerCount);
    const { displaced: d, over } = state.bound;
    if (d > counted.displaced) displaced.inc({ outcome: 'displaced' }, d - counted.displaced);
    if (over > counted.over) displaced.inc({ outcome: 'over' }, over - counted.over);
    Object.assign(counted, { displaced: d, over });
    if ((d > warned.displaced || over > warned.over) && now - warned.at >= BOUND_WARN_MS) {
      log.warn({ displaced: d - warned.displaced, over: over - warned.over, bound: s.max_ledgers_per_partition }, 'call ledgers at verdicts.max_ledgers_per_partition: accounts displaced (a flood of account names, or a bound below the accounts held)');
      Object.assign(warned, { at: now, displaced: d, over });
    }
  }, LEDGER_SWEEP_MS);
  ledgerSweep.unref();

  function decide(q: CallQuery, iface: 'http' | 'sip'): Verdict {
    const started = performance.now();
    const now = rt.clock.now();
    const v = judge(callContext(q, s, deck, now), state, s);
    seconds.observe({ interface: iface }, (performance.now() - started) / 1000);
    verdicts.inc({ interface: iface, verdict: v.verdict, rule: v.rule });
    if (v.verdict === 'deny') deny.denied(q, v, now);
    return v;
  }

  const subscriptions: Subscription[] = [];
  let fedRecords = 0;
  if (o.consume !== false) {
    const stage = verdictStage({
      topics: rt.topics,
      state,
      // every instance answers for every account: a group of its own
      groupId: `${rt.topics.group('verdict')}-${randomUUID()}`,
      onApplied: (topic, n) => {
        fedRecords += n;
        fed.inc({ topic }, n);
        o.onApplied?.(topic, n);
      },
    });
    subscriptions.push(await runStage(rt.bus, stage, rt));
  }
  const health = () => ({ ok: true, mode: s.mode, partitions: state.partitions, records_applied: fedRecords, rate_deck_prefixes: deck.size });

  let http: ListeningServer | undefined;
  let sip: SipServer | undefined;
  try {
    if (httpAt) {
      http = await startVerdictHttp({ ...httpAt, token, maxBodyBytes: s.max_request_bytes, decide: (q) => decide(q, 'http'), health, onRefused: (reason) => refused.inc({ interface: 'http', reason }), log });
    }
    if (sipAt) {
      sip = await startVerdictSip({ ...sipAt, maxMessageBytes: s.max_request_bytes, clients: s.sip_clients, decide: (q) => decide(q, 'sip'), onRefused: (reason) => refused.inc({ interface: 'sip', reason: reason.split(':')[0] }), log });
    }
  } catch (err) {
    await http?.close();
    for (const sub of subscriptions) await sub.stop();
    throw err;
  }
  up.set({}, 1);
  log.info({ http: http?.url ?? null, sip: sip ? `${sipAt!.host}:${sip.port} (udp, tcp)` : null, udp_receive_buffer_bytes: sip?.receiveBufferBytes ?? null, token: token ? 'required' : 'none (loopback only)', mode: s.mode, rate_deck_prefixes: deck.size }, 'verdict service listening');

  return {
    state,
    http,
    sip,
    deny,
    decide,
    subscriptions,
    stop: async () => {
      up.set({}, 0);
      clearInterval(sweep);
      clearInterval(ledgerSweep);
      deny.sweep(Number.POSITIVE_INFINITY);
      await http?.close();
      await sip?.close();
      for (const sub of subscriptions) await sub.stop();
    },
  };
}
