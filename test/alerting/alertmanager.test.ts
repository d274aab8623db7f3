// A replay of the lab recording pages through the real Alertmanager: one notification per attack
// group (alerts are grouped by alertname and tenant), alerts carrying the right labels, and every
// alert resolved once the findings stop. The pipeline runs in-process; Alertmanager notifies a
// webhook receiver of this test.
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
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };
const RESOLVE_AFTER_S = 8;

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

  it('pages once per attack group with the right labels, and the alerts resolve', async () => {
    const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
    cfg.collector.tenant = tenant;
    cfg.alerting.alertmanager_url = ALERTMANAGER_URL;
    cfg.alerting.resolve_after_seconds = RESOLVE_AFTER_S;
    const replay = await replayFiles([path.join(DATA_DIR, 'lab-dev', 'pbx.pcap')], cfg, io, { log: silentLogger });
    const withTenant = replay.findings.filter((f) => f.organization?.id === tenant);
    expect(withTenant.length).toBeGreaterThan(0);

    // every finding is an active alert in Alertmanager: one per detector and key
    const expected = new Set(withTenant.map((f) => `${f.rule.id} ${f.key.type}:${f.key.value}`));
    const active = await amAlerts(`tenant="${tenant}"`);
    expect(new Set(active.map((a) => `${a.labels.detector} ${a.labels.key}`))).toEqual(expected);
    for (const a of active) {
      expect(Object.keys(a.labels).sort()).toEqual(['alertname', 'detector', 'family', 'key', 'severity', 'tenant']);
      expect(a.annotations.runbook_url).toMatch(new RegExp(`/${a.labels.family}\\.md$`));
      expect(a.annotations.description).toMatch(/Evidence: /);
    }
    expect(active.find((a) => a.labels.detector === 'sip/request-flood' && a.labels.key === 'ip:198.18.0.68')).toBeDefined();
    expect(active.find((a) => a.labels.detector === 'fraud/destination-risk' && a.labels.key === 'ip:198.18.0.67')).toBeDefined();
    expect(active.find((a) => a.labels.detector === 'fraud/sequential-dialing' && a.labels.key === 'account:105')).toBeDefined();

    // one firing notification per group (alertname within the tenant), not one per finding
    const groups = new Set(active.map((a) => a.labels.alertname));
    const firingUntil = Date.now() + 30_000;
    while (new Set(notifications.filter((n) => n.status === 'firing').map((n) => n.groupLabels.alertname)).size < groups.size && Date.now() < firingUntil) await sleep(250);
    const firing = notifications.filter((n) => n.status === 'firing');
    expect(firing.map((n) => n.groupLabels.alertname).sort()).toEqual([...groups].sort());
    expect(withTenant.length).toBeGreaterThan(firing.length);

    // the findings have stopped: after resolve_after every alert resolves, and each group is told
    const resolvedUntil = Date.now() + 60_000;
    while ((await amAlerts(`tenant="${tenant}"`)).length > 0 && Date.now() < resolvedUntil) await sleep(500);
    expect(await amAlerts(`tenant="${tenant}"`)).toEqual([]);
    while (new Set(notifications.filter((n) => n.status === 'resolved').map((n) => n.groupLabels.alertname)).size < groups.size && Date.now() < resolvedUntil) await sleep(250);
    expect(new Set(notifications.filter((n) => n.status === 'resolved').map((n) => n.groupLabels.alertname))).toEqual(groups);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
