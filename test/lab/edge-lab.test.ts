// End to end at a live edge: Kamailio in a namespace mirrors its SIP as HEP v3 to the collector on
// the host; detect, decide and enforce run over Kafka, and the enforcer writes the edge's nftables
// sets. A legit phone registers and calls throughout (infra/lab/edge-lab.sh).
//   A: an INVITE flood from the attacker is blocked at the edge; its packets stop reaching
//      Kamailio while it keeps sending; the phone keeps calling; the kernel expires the block.
//   B: a flood forged with the phone's own address gets a rate limit, never a block; the phone
//      keeps calling.
//   D: floods forged with the PBX's own address (Kamailio's) and the carrier's (the callee, in
//      enforcer.platform.addresses) are alerts, never blocks or limits; the phone keeps calling.
//      The PBX is not configured: callsentry learns it from the challenges it sends.
//   C: sipvicious svcrack is blocked too (by its scanner User-Agent, before most of its guesses).
// Figures (time from attack to set element, packets) are printed, never asserted against a clock.
// Needs root, kamailio, sipp, svcrack, nft, jq, python3 and the Kafka broker (see requireEdgeLab).
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Ingest } from '../../services/collector/ingest';
import type { HepCollector } from '../../services/adapters/hep/hep-listener';
import { startHepCollector } from '../../services/adapters/hep/hep-listener';
import { silentLogger, type Subscription } from '../../services/core/ports';
import type { Decision, Finding, SipFlow } from '../../services/core/records';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { startDetect, startEnforce } from '../../services/runtime/stages';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka } from '../support/kafka';
import { ATTACKER_IP, AUTH_KEY, CARRIER_IP, counters, EDGE_IP, EDGE_NS, HOST_IP, lab, legitCalls, LEGIT_IP, Peer, pollUntil, requireEdgeLab, setMembers, sleep, type CallStats } from './edge-lab';

const TABLE = 'callsentry';
const TTL_SECONDS = 20;
// the forger stays under the rate limit's 50 packets/s with the phone's own ~9/s, so a rate limit
// must cost the phone nothing, while 30 INVITEs/s is three times the flood threshold
const FORGE = { count: 900, rate: 30 };

describe('edge lab: callsentry enforcing at a live Kamailio edge', () => {
  let rt: Runtime | undefined;
  let hep: HepCollector | undefined;
  let flusher: NodeJS.Timeout | undefined;
  let stages: Subscription[] = [];
  let reader: Consumer | undefined;
  let prefix = '';
  const peers: Peer[] = [];
  const findings: Array<{ at: number; f: Finding }> = [];
  const decisions: Array<{ at: number; d: Decision }> = [];
  const flows: SipFlow[] = [];
  const figures: Record<string, unknown> = {};
  let legit: Peer | undefined;

  const blocked = () => setMembers(TABLE, 'block_addr4');
  const limited = () => setMembers(TABLE, 'limit_addr4');
  const start = (name: string, args: string[]) => {
    const p = new Peer(name, args);
    peers.push(p);
    return p;
  };
  const calls = (): CallStats => legitCalls();

  beforeAll(async () => {
    requireEdgeLab();
    await requireKafka();
    try {
      lab('down'); // a previous run that was killed
    } catch {
      // nothing to remove
    }
    lab('up');

    const cfg = kafkaConfig(2);
    prefix = cfg.bus.topic_prefix;
    cfg.collector.sensor = 'edge-lab';
    cfg.decisions = { mode: 'enforce', block_ttl_seconds: TTL_SECONDS, first_ban_seconds: TTL_SECONDS, rate_limit_ttl_seconds: TTL_SECONDS };
    cfg.enforcer.actuators = ['nftables'];
    cfg.enforcer.nftables = { ...cfg.enforcer.nftables, table: TABLE, netns: EDGE_NS };
    // the carrier is configured; the PBX (Kamailio) is learned from the traffic
    cfg.enforcer.platform = { ...cfg.enforcer.platform, addresses: [CARRIER_IP] };
    rt = createRuntime(cfg, { log: silentLogger });
    await ensureTopics(rt);

    const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor });
    hep = await startHepCollector({
      udp: { host: HOST_IP, port: 0 },
      authKey: AUTH_KEY,
      observerId: cfg.collector.sensor,
      onRecord: (r) => ingest.record(r),
      onReject: (reason, detail, raw) => ingest.deadLetter(raw.toString('base64'), 'BAD_RECORD', `hep/${reason}: ${detail}`),
      log: silentLogger,
      metrics: rt.metrics,
    });
    // as `callsentry collector` does for live sources: send what has queued every half second
    flusher = setInterval(() => void ingest.flush().catch(() => undefined), 500);
    stages = [
      ...(await startDetect(rt, { onFinding: (f) => void findings.push({ at: Date.now(), f }) })),
      ...(await startEnforce(rt, { onDecision: (d) => void decisions.push({ at: Date.now(), d }) })),
    ];
    // our own reader of the flows, to know when callsentry has seen the phone prove itself
    reader = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-edge-lab', logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}edge-lab-reader` });
    await reader.connect();
    await reader.subscribe({ topics: [rt.topics.name('flows.sip.v1')], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void flows.push(JSON.parse(message.value!.toString()) as SipFlow) });

    lab('kamailio', String(hep.addresses.udp!.port));
    lab('callee');
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.stop().catch(() => undefined);
    for (const s of stages) await s.stop().catch(() => undefined);
    await reader?.disconnect().catch(() => undefined);
    clearInterval(flusher);
    await hep?.stop().catch(() => undefined);
    await rt?.bus.close().catch(() => undefined);
    try {
      lab('down');
    } catch (err) {
      console.error(`edge lab teardown: ${(err as Error).message}`);
    }
    if (prefix) await deleteTopics(prefix).catch(() => undefined);
    figures.flowsSeen = flows.length;
    console.log(`edge lab figures ${JSON.stringify(figures, null, 2)}`);
  }, 120_000);

  it('the legit phone registers and calls, and callsentry sees its authenticated, proven REGISTER', async () => {
    // one call a second for up to 400 s: it runs through both scenarios and is stopped at the end
    legit = start('legit', ['legit', '400', '1000']);
    const established = await pollUntil(
      () => flows.some((f) => f.source.ip === LEGIT_IP && f.sip.method === 'REGISTER' && f.sip.status === 200 && f.sip.auth_user === '105' && f.sip.source_proven === true),
      60_000,
    );
    expect({ established: established !== undefined, phone: legit.exited ? legit.tail : 'running' }).toEqual({ established: true, phone: 'running' });
    // sipp rewrites its statistics every second, and the call follows the REGISTER
    expect(await pollUntil(() => calls().successful > 0, 20_000)).toBeDefined();
    expect(calls().failed).toBe(0);
    figures.legitBefore = calls();
  });

  it('A: blocks an INVITE flood at the edge; the flood stops reaching Kamailio; the phone keeps calling; the block expires', async () => {
    const t0 = Date.now();
    const flood = start('flood', ['flood', '90', '100']); // bounded: 90 s at 100 INVITE/s at most
    const inSet = await pollUntil(async () => (await blocked()).includes(ATTACKER_IP), 60_000);
    expect({ blocked: inSet !== undefined, flood: flood.exited ? flood.tail : 'running' }).toEqual({ blocked: true, flood: 'running' });
    const atBlock = calls();
    const firstFinding = findings.find((x) => x.f.key.value === ATTACKER_IP);
    const firstDecision = decisions.find((x) => x.d.target.value === ATTACKER_IP);
    figures.A = {
      detector: firstFinding?.f.rule.id,
      decision: firstDecision && `${firstDecision.d.action} ${firstDecision.d.ttl_seconds}s (${firstDecision.d.reason})`,
      msToFinding: firstFinding && firstFinding.at - t0,
      msToDecision: firstDecision && firstDecision.at - t0,
      msToElementInSet: inSet! - t0,
    };

    // the attacker keeps sending; nothing more of it gets past callsentry's drop
    await sleep(1000);
    const c1 = counters();
    await sleep(5000);
    const c2 = counters();
    Object.assign(figures.A as object, {
      attackerPacketsArrivedWhileBlocked: c2.arrived.attacker - c1.arrived.attacker,
      attackerPacketsReachedWhileBlocked: c2.reached.attacker - c1.reached.attacker,
      attackerPacketsReachedBeforeBlock: c1.reached.attacker,
    });
    expect(c2.arrived.attacker - c1.arrived.attacker).toBeGreaterThan(100);
    expect(c2.reached.attacker).toBe(c1.reached.attacker);
    expect(c2.reached.legit).toBeGreaterThan(c1.reached.legit);
    await flood.stop();

    // the kernel removes the element at its timeout; nothing in callsentry deletes it
    const gone = await pollUntil(async () => !(await blocked()).includes(ATTACKER_IP), (TTL_SECONDS + 30) * 1000, 500);
    expect(gone).toBeDefined();
    (figures.A as Record<string, unknown>).msFromElementToExpiry = gone! - inSet!;
    expect(decisions.filter((x) => x.d.target.value === ATTACKER_IP && x.d.action === 'unblock')).toEqual([]);

    // the phone went on calling through the block, with no failure
    expect(await pollUntil(() => calls().successful >= atBlock.successful + 5, 30_000)).toBeDefined();
    const after = calls();
    expect(after.failed).toBe(atBlock.failed);
    expect((await blocked()).includes(LEGIT_IP)).toBe(false);
    (figures.A as Record<string, unknown>).legitCalls = { atBlock, after };
  });

  it('B: a flood forged with the phone address rate-limits it, never blocks it; the phone keeps calling', async () => {
    const before = calls();
    const t0 = Date.now();
    const forger = start('forge', ['forge', String(FORGE.count), String(FORGE.rate)]);
    let everBlocked = false;
    // watch the block set for the whole forged flood and a while after it
    const limitedAt = await pollUntil(async () => {
      if ((await blocked()).includes(LEGIT_IP)) everBlocked = true;
      return (await limited()).includes(LEGIT_IP);
    }, 60_000);
    expect(limitedAt).toBeDefined();
    const decision = decisions.find((x) => x.d.target.value === LEGIT_IP);
    figures.B = {
      decision: decision && `${decision.d.action} ${decision.d.ttl_seconds}s (${decision.d.reason})`,
      msToDecision: decision && decision.at - t0,
      msToElementInLimitSet: limitedAt! - t0,
    };
    const done = await pollUntil(async () => {
      if ((await blocked()).includes(LEGIT_IP)) everBlocked = true;
      return forger.exited;
    }, 120_000);
    expect({ forgerDone: done !== undefined, out: forger.tail.trim() }).toEqual({ forgerDone: true, out: expect.stringMatching(/^sent \d+ forged INVITEs/) });
    const expired = await pollUntil(async () => {
      if ((await blocked()).includes(LEGIT_IP)) everBlocked = true;
      return !(await limited()).includes(LEGIT_IP);
    }, (TTL_SECONDS + 60) * 1000, 500);

    expect(everBlocked).toBe(false);
    expect(decisions.filter((x) => x.d.target.value === LEGIT_IP).map((x) => x.d.action)).not.toContain('block');
    expect(expired).toBeDefined();
    expect(await pollUntil(() => calls().successful >= before.successful + 5, 30_000)).toBeDefined();
    const after = calls();
    expect(after.failed).toBe(before.failed);
    const c = counters();
    // the phone's address sent its own packets and the forged ones; the limit dropped what exceeded the rate
    Object.assign(figures.B as object, {
      legitCalls: { before, after },
      legitAddressPacketsDroppedByLimit: c.arrived.legit - c.reached.legit,
      edgeCounters: c,
      msFromLimitToExpiry: expired! - limitedAt!,
    });
  });

  it("D: floods forged from the PBX's and the carrier's own addresses are alerts, never blocks or limits; the phone keeps calling", async () => {
    const before = calls();
    figures.D = {};
    for (const [as, ip] of [
      ['pbx', EDGE_IP],
      ['carrier', CARRIER_IP],
    ] as const) {
      const t0 = Date.now();
      const forger = start(`forge-${as}`, ['forge', String(FORGE.count / 2), String(FORGE.rate), as]);
      let touched = false;
      const watch = async () => {
        if ([...(await blocked()), ...(await limited())].includes(ip)) touched = true;
      };
      const decided = await pollUntil(async () => {
        await watch();
        return decisions.some((x) => x.at >= t0 && x.d.target.value === ip);
      }, 60_000);
      const done = await pollUntil(async () => {
        await watch();
        return forger.exited;
      }, 120_000);
      // the enforcer acts within moments of a decision: keep watching the sets a while after the flood
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        await watch();
        await sleep(250);
      }
      const mine = decisions.filter((x) => x.d.target.value === ip);
      (figures.D as Record<string, unknown>)[as] = { decisions: mine.map((x) => `${x.d.action} (${x.d.reason})`), msToDecision: decided && decided - t0 };
      expect({ decided: decided !== undefined, forgerDone: done !== undefined, out: forger.tail.trim() }).toEqual({ decided: true, forgerDone: true, out: expect.stringMatching(/^sent \d+ forged INVITEs/) });
      expect(mine.map((x) => x.d.action)).toEqual(mine.map(() => 'alert-only'));
      expect(mine[0].d.reason).toMatch(as === 'pbx' ? /never blocked: seen answering as a SIP server/ : /never blocked: configured in enforcer\.platform\.addresses/);
      expect(touched).toBe(false);
    }
    expect(await pollUntil(() => calls().successful >= before.successful + 5, 30_000)).toBeDefined();
    expect(calls().failed).toBe(before.failed);
  });

  it('C: blocks sipvicious svcrack (it announces itself as friendly-scanner); its guesses stop reaching Kamailio', async () => {
    const before = calls();
    const c0 = counters();
    const t0 = Date.now();
    const crack = start('crack', ['crack']); // up to 200 wrong passwords for account 105, bounded to 60 s
    const inSet = await pollUntil(async () => (await blocked()).includes(ATTACKER_IP), 90_000);
    expect({ blocked: inSet !== undefined, crack: crack.tail.slice(-300) }).toMatchObject({ blocked: true });
    const decision = decisions.find((x) => x.at >= t0 && x.d.target.value === ATTACKER_IP && x.d.action === 'block');
    await sleep(1000);
    const c1 = counters();
    await sleep(5000);
    const c2 = counters();
    await crack.stop();
    figures.C = {
      detectors: [...new Set(findings.filter((x) => x.at >= t0 && x.f.key.value === ATTACKER_IP).map((x) => x.f.rule.id))],
      decisions: decisions.filter((x) => x.at >= t0 && x.d.target.value === ATTACKER_IP).map((x) => `${x.d.action} ${x.d.ttl_seconds}s (${x.d.reason})`),
      msToElementInSet: inSet! - t0,
      msToFirstBlockDecision: decision && decision.at - t0,
      crackerPacketsReachedKamailio: c2.reached.attacker - c0.reached.attacker,
      crackerPacketsArrivedWhileBlocked: c2.arrived.attacker - c1.arrived.attacker,
    };
    expect(c2.reached.attacker).toBe(c1.reached.attacker);
    expect(await pollUntil(() => calls().successful >= before.successful + 3, 30_000)).toBeDefined();
    expect(calls().failed).toBe(before.failed);
    expect((await blocked()).includes(LEGIT_IP)).toBe(false);
    await legit?.stop();
    figures.legitFinal = calls();
  });
});
