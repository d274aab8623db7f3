// A replay of the lab recording pages through the real Alertmanager once per incident, not once
// per finding: one alert per incident (labels alertname, incident, tenant, fixed while it grows),
// one firing notification per incident (Alertmanager groups by incident), and every alert resolved
// once the incidents stop growing. The pipeline runs in-process; Alertmanager notifies a webhook
// receiver of this test.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import { silentLogger } from '../../services/core/ports';
import { replayFiles } from '../../services/commands/replay-pipeline';
import { DATA_DIR } from '../../services/collector/sip/test-support/data-dir';
import type { CommandIo } from '../../services/commands/io';
import { ALERTMANAGER_URL, amAlerts, requireAlertmanager } from '../support/alertmanager';

interface Notification {
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };
// longer than the replay takes on a loaded machine: no page may resolve (and page again) before the
// replay is over
const RESOLVE_AFTER_S = 30;

describe('alerting through a real Alertmanager', () => {
  const tenant = `lab-${randomBytes(3).toString('hex')}`;
  const notifications: Notification[] = [];
  let receiver: Server;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const n = JSON.parse(body) as Notification;
        if (n.groupLabels.tenant === tenant) notifications.push(n);
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    requireAlertmanager({ CALLSENTRY_ALERTMANAGER_WEBHOOK_URL: url, CALLSENTRY_ALERTMANAGER_GROUP_WAIT: '1s', CALLSENTRY_ALERTMANAGER_GROUP_INTERVAL: '3s' });
  });

  afterAll(async () => new Promise((r) => receiver.close(r)));

  it('pages once per incident, with the incident as its label, and the alerts resolve', async () => {
    const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
    cfg.collector.tenant = tenant;
    cfg.alerting.alertmanager_url = ALERTMANAGER_URL;
    cfg.alerting.resolve_after_seconds = RESOLVE_AFTER_S;
    const replay = await replayFiles([path.join(DATA_DIR, 'lab-dev', 'pbx.pcap')], cfg, io, { log: silentLogger });
    const findings = replay.findings.filter((f) => f.organization?.id === tenant);
    const incidents = replay.incidents.filter((i) => i.organization?.id === tenant && !i.closed);
    expect(incidents.length).toBeGreaterThan(0);
    expect(findings.length).toBeGreaterThan(incidents.length);

    // one firing notification per incident, carrying the incident's one alert
    const ids = new Set(incidents.map((i) => i.id));
    const firing = () => notifications.filter((n) => n.status === 'firing');
    const firingUntil = Date.now() + 30_000;
    while (new Set(firing().map((n) => n.groupLabels.incident)).size < ids.size && Date.now() < firingUntil) await sleep(250);
    expect(new Set(firing().map((n) => n.groupLabels.incident))).toEqual(ids);
    for (const n of firing()) {
      expect(n.alerts).toHaveLength(1);
      const [a] = n.alerts;
      expect(Object.keys(a.labels).sort()).toEqual(['alertname', 'incident', 'tenant']);
      expect(a.labels.alertname).toBe('CallsentryIncident');
      expect(a.annotations.runbook_url).toMatch(/\/(recon|credential|fraud|dos|policy)\.md$/);
      expect(a.annotations.description).toMatch(/finding\(s\) from /);
    }
    // the attacker who brute-forced account 105 and dialled out from it: one page, at its highest
    // severity in Alertmanager (the updates went to the same alert)
    const fraud = incidents.find((i) => i.keys.some((k) => k.type === 'ip' && k.value === '198.18.0.67'))!;
    expect(fraud.keys).toContainEqual({ type: 'account', value: '105' });
    const [fraudAlert] = await amAlerts(`incident="${fraud.id}"`);
    expect(fraudAlert.annotations.severity).toBe('critical');
    expect(fraudAlert.annotations.phases).toBe(fraud.phases.join(', '));

    // the incidents have stopped growing: after resolve_after every alert resolves, and each page is told
    const resolvedUntil = Date.now() + (RESOLVE_AFTER_S + 60) * 1000;
    while ((await amAlerts(`tenant="${tenant}"`)).length > 0 && Date.now() < resolvedUntil) await sleep(500);
    expect(await amAlerts(`tenant="${tenant}"`)).toEqual([]);
    const resolvedIds = () => new Set(notifications.filter((n) => n.status === 'resolved').map((n) => n.groupLabels.incident));
    while (resolvedIds().size < ids.size && Date.now() < resolvedUntil) await sleep(250);
    expect(resolvedIds()).toEqual(ids);
    // and nothing paged twice: the updates (escalation, growth) went to the same alert
    expect(firing().map((n) => n.groupLabels.incident).sort()).toEqual([...ids].sort());
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
