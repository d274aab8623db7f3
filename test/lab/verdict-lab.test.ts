// Pre-call verdicts at a live Kamailio (infra/lab/verdict-lab.sh): before each call leaves for the
// carrier, Kamailio asks callsentry's SIP redirect server (infra/lab/verdict/kamailio.cfg, the same
// block docs/verdicts.md shows). Kamailio mirrors its SIP as HEP v3 to the collector here; the flows
// feed the verdict state on the bus, as in production.
//   1. The cracked account 106 calls a costly international number. Its calls are answered until
//      its spend quota is reached (or a detector flags it); from then on every new call gets 603
//      and the carrier receives none of them, counted in the carrier's own message log. The
//      legitimate phone (account 105) completes every call throughout.
//   2. Verdict service stopped: calls proceed (fail-open) and the health alert fires in a real
//      Prometheus. Started again: verdicts resume.
//   3. Bad requests to both interfaces get clear errors and leave the service answering.
// Needs root, kamailio, sipp, prometheus (see requireVerdictLab); no Kafka (the in-process bus).
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { MemoryBus } from '../../services/adapters/memory-bus/memory-bus';
import { startHepCollector, type HepCollector } from '../../services/adapters/hep/hep-listener';
import { Ingest } from '../../services/collector/ingest';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import { silentLogger, type Subscription } from '../../services/core/ports';
import type { Decision } from '../../services/core/records';
import { createRuntime, type Runtime } from '../../services/runtime/runtime';
import { serveMetrics } from '../../services/runtime/serve-metrics';
import { startDetect } from '../../services/runtime/stages';
import { RateDeck } from '../../services/verdicts/rate-deck';
import { startVerdictService, type VerdictService } from '../../services/verdicts/service';
import { AUTH_KEY, carrierInvites, HOST_IP, lab, phone, pollUntil, PROXY_IP, requireVerdictLab } from './verdict-lab';

const TOKEN = 'verdict-lab-token-0123456789abcdef';
const IRSF = '+882345678901';
const IRSF_PATTERN = '\\+882345678901@';
const LOCAL = '2125550100';
const PROM_PORT = 19391;
const PROM_DIR = '/tmp/callsentry-verdict-lab/prometheus';
const PROM = `http://127.0.0.1:${PROM_PORT}`;
const ROOT = path.resolve(__dirname, '../..');

describe('verdict lab: pre-call verdicts at a live Kamailio', () => {
  let rt: Runtime;
  let bus: MemoryBus;
  let hep: HepCollector | undefined;
  let svc: VerdictService | undefined;
  let sipPort = 0;
  let stages: Subscription[] = [];
  let flusher: NodeJS.Timeout | undefined;
  let metrics: { url: string; close(): Promise<void> } | undefined;
  const figures: Record<string, unknown> = {};

  const cfg = (): CallsentryConfig => {
    const c = structuredClone(DEFAULT_CONFIG);
    c.collector.sensor = 'verdict-lab';
    c.metrics.listen = '127.0.0.1:0';
    c.verdicts = {
      ...c.verdicts,
      http_listen: `${HOST_IP}:0`,
      sip_listen: `${HOST_IP}:${sipPort}`,
      sip_clients: [PROXY_IP],
      home_country: 'US',
      // the spend quota is what stops the cracked account here: limits that would trip first are off
      concurrent: { account: { local: 0, international: 0 }, tenant: { local: 0, international: 0 } },
      baseline: { ...c.verdicts.baseline, hard_cap: 1000 },
      spend: { account: { hour: 3, day: 0 }, tenant: { hour: 0, day: 0 }, warn_fraction: 0.8 },
    };
    return c;
  };
  // IRSF-grade price: 30 a minute, so two answered 4 s calls spend the quota of 3
  const deck = () => RateDeck.parse('prefix,price_per_minute\n1,0.01\n882,30\n');
  const startService = async () => {
    svc = await startVerdictService(rt, { env: { CALLSENTRY_VERDICT_TOKEN: TOKEN }, deck: deck() });
    sipPort = svc.sip!.port;
  };

  beforeAll(async () => {
    requireVerdictLab();
    try {
      lab('down');
    } catch {
      // nothing to remove
    }
    lab('up');
    bus = new MemoryBus();
    rt = createRuntime(cfg(), { bus, log: silentLogger });
    await startService();
    rt.cfg.verdicts.sip_listen = `${HOST_IP}:${sipPort}`;
    const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'verdict-lab' });
    hep = await startHepCollector({
      udp: { host: HOST_IP, port: 0 },
      authKey: AUTH_KEY,
      observerId: 'verdict-lab',
      onRecord: (r) => ingest.record(r),
      onReject: () => undefined,
      log: silentLogger,
      metrics: rt.metrics,
    });
    flusher = setInterval(() => void ingest.flush().catch(() => undefined), 200);
    stages = await startDetect(rt);
    metrics = await serveMetrics(rt, 'verdict');
    // a Prometheus of our own, with the repository's alert rules, scraping every second
    mkdirSync(path.join(PROM_DIR, 'targets'), { recursive: true });
    writeFileSync(path.join(PROM_DIR, 'targets', 'verdict.json'), JSON.stringify([{ targets: [metrics!.url.replace(/^http:\/\//, '').replace(/\/metrics$/, '')], labels: { service: 'verdict' } }]));
    const prom = spawnSync('bash', [path.join(ROOT, 'infra/prometheus/start.sh')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CALLSENTRY_PROMETHEUS_PORT: String(PROM_PORT), CALLSENTRY_PROMETHEUS_RUN_DIR: PROM_DIR, CALLSENTRY_PROMETHEUS_SCRAPE_INTERVAL: '1s' } });
    if (prom.status !== 0) throw new Error(`infra/prometheus/start.sh failed: ${prom.stderr}\nInstall the Debian package prometheus (infra/apt-packages.txt).`);
    lab('kamailio', String(hep.addresses.udp!.port), String(sipPort), 'open', '300');
    lab('carrier');
  }, 120_000);

  afterAll(async () => {
    spawnSync('bash', [path.join(ROOT, 'infra/prometheus/stop.sh')], { env: { ...process.env, CALLSENTRY_PROMETHEUS_PORT: String(PROM_PORT), CALLSENTRY_PROMETHEUS_RUN_DIR: PROM_DIR }, timeout: 30_000 });
    clearInterval(flusher);
    await svc?.stop().catch(() => undefined);
    for (const s of stages) await s.stop().catch(() => undefined);
    await hep?.stop().catch(() => undefined);
    await metrics?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    try {
      lab('down');
    } catch (err) {
      console.error(`verdict lab teardown: ${(err as Error).message}`);
    }
    console.log(`verdict lab figures ${JSON.stringify(figures, null, 2)}`);
  }, 120_000);

  it('the cracked account is declined (603) once it is flagged or over its spend quota, the carrier receives none of those calls, and the legit phone completes every call', async () => {
    // the legit phone calls at a person's pace (one call every 6 s stays under fraud/call-velocity)
    const legitRun = phone('legit', LOCAL, 5, 6000, 500);
    const atk = await phone('atk', IRSF, 24, 1000, 4000);
    const legit = await legitRun;
    const reached = carrierInvites(IRSF_PATTERN);
    figures.attack = { answered: atk.answered, declined: atk.declined, carrierInvites: reached, reasons: atk.reasons };
    figures.legit = { answered: legit.answered, declined: legit.declined, reasons: legit.reasons };
    expect({ exit: atk.exit, total: atk.answered + atk.declined }).toEqual({ exit: 0, total: 24 });
    expect(atk.answered).toBeGreaterThan(0);
    expect(atk.declined).toBeGreaterThan(0);
    // every INVITE the carrier saw for the number belongs to an answered call: 0 of the declined ones
    expect(reached).toBe(atk.answered);
    expect(atk.reasons.every((r) => /verdict\/(spend-quota|suspended-account)/.test(r))).toBe(true);
    expect({ exit: legit.exit, answered: legit.answered, declined: legit.declined }).toEqual({ exit: 0, answered: 5, declined: 0 });
    // the denies are decisions: few (one per account per window), for account 106 only
    const decisions = bus.read(rt.topics.name('decisions.v1')).map((m) => JSON.parse(m.value!.toString()) as Decision).filter((d) => d.action === 'deny-call');
    figures.denyDecisions = decisions.length;
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.length).toBeLessThan(atk.declined);
    expect(new Set(decisions.map((d) => `${d.target.type}:${d.target.value}`))).toEqual(new Set(['account:106']));
  }, 240_000);

  it('with the verdict service stopped, calls proceed (fail-open) and its health alert fires; started again, verdicts resume', async () => {
    await svc!.stop();
    svc = undefined;
    const atkBefore = carrierInvites(IRSF_PATTERN);
    const [legit, atk] = await Promise.all([phone('legit', LOCAL, 2, 3000, 300), phone('atk', IRSF, 3, 1000, 300)]);
    figures.failOpen = { legit: legit.answered, attacker: atk.answered };
    expect({ legit: legit.answered, atk: atk.answered, declined: legit.declined + atk.declined }).toEqual({ legit: 2, atk: 3, declined: 0 });
    expect(carrierInvites(IRSF_PATTERN) - atkBefore).toBe(3);

    const firing = await pollUntil(async () => {
      const res = await fetch(`${PROM}/api/v1/alerts`).catch(() => undefined);
      const body = (await res?.json().catch(() => undefined)) as { data?: { alerts?: Array<{ labels: { alertname: string }; state: string }> } } | undefined;
      return (body?.data?.alerts ?? []).some((a) => a.labels.alertname === 'CallsentryVerdictServiceDown' && a.state === 'firing');
    }, 60_000, 1000);
    if (!firing) {
      figures.prometheus = {
        alerts: await (await fetch(`${PROM}/api/v1/alerts`)).json(),
        targets: ((await (await fetch(`${PROM}/api/v1/targets`)).json()) as { data: { activeTargets: Array<Record<string, unknown>> } }).data.activeTargets.map((t) => ({ url: t.scrapeUrl, health: t.health, error: t.lastError })),
        up: await (await fetch(`${PROM}/api/v1/query?query=callsentry_verdict_up`)).json(),
      };
    }
    expect(firing).toBe(true);

    await startService();
    // the new instance rebuilds its state from the bus before it judges
    expect(await pollUntil(() => svc!.state.spend('account:106', 3_600_000, Date.now()) >= 3, 30_000)).toBe(true);
    const again = await phone('atk', IRSF, 2, 1000, 300);
    const legitAgain = await phone('legit', LOCAL, 1, 1000, 300);
    expect({ declined: again.declined, legit: legitAgain.answered }).toEqual({ declined: 2, legit: 1 });
  }, 240_000);

  it('bad requests to both interfaces get clear errors and leave the service answering', async () => {
    const url = `${svc!.http!.url}/v1/verdict`;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = async (body: string, headers: Record<string, string> = auth) => {
      const r = await fetch(url, { method: 'POST', headers, body });
      return { status: r.status, error: ((await r.json()) as { error?: string }).error ?? '' };
    };
    const call = JSON.stringify({ source_ip: '10.252.80.66', account: '106', from: 'sip:106@proxy.lab', to: IRSF, call_id: 'lab-1' });
    expect(await post(call, { 'content-type': 'application/json', authorization: 'Bearer wrong-token-wrong-token' })).toEqual({ status: 401, error: expect.stringMatching(/bearer token/) });
    expect(await post(JSON.stringify({ source_ip: '10.252.80.66', from: 'x' }))).toEqual({ status: 400, error: 'to is required' });
    expect((await post(JSON.stringify({ source_ip: '10.252.80.66', from: 'x'.repeat(100_000), to: IRSF, call_id: 'x' }))).status).toBe(413);
    expect((await post('{oops'))).toEqual({ status: 400, error: 'the body is not valid JSON' });
    // a bounded flood: 2,000 queries, 100 at a time; every one answered
    let answered = 0;
    for (let i = 0; i < 20; i++) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => post(call)));
      answered += batch.filter((b) => b.status === 200).length;
    }
    expect(answered).toBe(2000);

    // malformed SIP over UDP and TCP, from the host (not a configured client) and as junk
    const udp = createSocket('udp4');
    for (const junk of ['garbage\r\n\r\n', 'INVITE sip:x SIP/2.0\r\n\r\n', '\u0000\u0001\u0002', 'x'.repeat(9000)]) await new Promise((r) => udp.send(junk, sipPort, HOST_IP, r));
    udp.close();
    const tcpReply = await new Promise<string>((resolve) => {
      const s = connect(sipPort, HOST_IP);
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
      s.on('error', () => resolve(data));
      s.write('NOT SIP AT ALL\r\n\r\n');
      setTimeout(() => s.destroy(), 2000);
    });
    expect(tcpReply).toMatch(/^SIP\/2\.0 400 Bad Request/);

    // still answering, through Kamailio too
    expect((await post(call)).status).toBe(200);
    const atk = await phone('atk', IRSF, 1, 1000, 300);
    const legit = await phone('legit', LOCAL, 1, 1000, 300);
    expect({ declined: atk.declined, legit: legit.answered }).toEqual({ declined: 1, legit: 1 });
  }, 240_000);
});
