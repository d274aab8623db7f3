// The NOC console in a real browser (Debian's Chromium, headless, driven by playwright-core) over
// the embedded pipeline: log in, watch a lab capture replay appear live, unblock with a reason and a
// ticket and find it in the audit trail, acknowledge a finding, a viewer refused the unblock,
// network values that try to inject markup rendered as text, wide allowlist ranges only with force,
// and a page of another site that tries the operator API on loopback. Screenshots go to .run/screenshots/.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, logIn, screenshot } from './browser';
import { startRig, USERS, waitFor, type ConsoleRig } from './console-rig';

const PBX_PCAP = path.resolve(__dirname, '../../../shared/data/lab-dev/pbx.pcap');

describe('NOC console in a browser', () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let operator: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    rig = await startRig();
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('lets nobody in without logging in', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(rig.console.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    for (const p of ['/api/snapshot', '/api/events', '/api/blocks', '/api/flows?q=1.2.3.4', '/static/console.js']) {
      expect([p, (await fetch(rig.console.url + p, { redirect: 'manual' })).status]).toEqual([p, p.startsWith('/api/') ? 401 : 303]);
    }
    await page.fill('#login-user', USERS.operator.name);
    await page.fill('#login-password', 'not the password');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error:has-text("wrong user name or password")');
    await screenshot(page, 'login');
    await page.context().close();
  });

  it('shows a lab capture replay live: findings and dry-run blocks appear while the page is open', async () => {
    operator = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await logIn(operator, rig.console.url, USERS.operator.name, USERS.operator.password);
    await operator.waitForSelector('#stream-state:has-text("live")');
    expect(await operator.locator('#findings tbody tr').count()).toBe(0);

    const records = await rig.feedCapture(PBX_PCAP);
    expect(records).toBeGreaterThan(5000);
    // the page was not reloaded: these rows came over the event stream
    await operator.waitForSelector('#findings tbody tr:has-text("sip/scanner-ua"):has-text("ip=198.18.0.66")');
    await operator.waitForSelector('#findings tbody tr:has-text("sip/request-flood"):has-text("ip=198.18.0.68")');
    await operator.waitForSelector('#decisions tbody tr:has-text("dry-run"):has-text("block"):has-text("ip=198.18.0.68")');
    await operator.waitForSelector('#decisions tbody tr:has-text("suspend-account"):has-text("account=105")');
    // the charts were drawn from what the console read (a poll every 3 s)
    await operator.waitForSelector('#chart-families rect');
    await operator.waitForSelector('#chart-legend .fam-recon');
    expect(await operator.locator('#chart-flows polyline').count()).toBe(1);
    await screenshot(operator, 'live');
    // the first screen, as the README shows it (docs/console.png)
    await screenshot(operator, 'live-first-screen', false);
  });

  it('lists the live blocks with reason, evidence, expiry and enforcement point, and unblocks one with a reason and a ticket, audited with who, why and ticket', async () => {
    await operator.goto(`${rig.console.url}/#blocks`);
    const row = operator.locator('#blocks tbody tr[data-target="198.18.0.66"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['ip=198.18.0.66', 'block', 'firewall']);
    expect(cells[3]).toMatch(/^20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \(in \d+s\)$/);
    expect(cells[4]).toMatch(/^sip\//);
    expect(cells[5]).toMatch(/sip\/[a-z-]+ \w+=\d+.*\[[0-9a-f]{24}\]/);
    expect(cells[6]).toBe('dry-run');
    await screenshot(operator, 'blocks');

    await row.locator('button.unblock').click();
    await operator.waitForSelector('#action-dialog[open]');
    await expect(operator.textContent('#action-subject')).resolves.toBe('198.18.0.66');
    await operator.fill('#action-why', 'lab scanner, test finished');
    await operator.fill('#action-ticket', 'NOC-4711');
    await operator.click('#action-submit');
    await operator.waitForSelector('#notice:has-text("requested by ana under NOC-4711")');

    const request = await waitFor('the operator request on audit.v1', () => rig.audit.find((e) => e.actor.type === 'operator' && e.what.startsWith('unblock ip=198.18.0.66')));
    expect(request).toMatchObject({ actor: { type: 'operator', id: 'ana' }, what: 'unblock ip=198.18.0.66 at firewall', why: 'lab scanner, test finished', ticket: 'NOC-4711', outcome: 'requested' });
    const outcome = await waitFor('the enforcer outcome on audit.v1', () => rig.audit.find((e) => e.actor.type === 'enforcer' && e.ref?.id === request.ref?.id));
    expect(outcome).toMatchObject({ outcome: 'removed', ticket: 'NOC-4711', why: 'operator ana: lab scanner, test finished' });
    await row.waitFor({ state: 'detached' });
    // every console shows the action from the audit trail
    await operator.goto(`${rig.console.url}/#live`);
    await operator.waitForSelector('#audit tbody tr:has-text("ana"):has-text("unblock ip=198.18.0.66 at firewall"):has-text("NOC-4711")');
    // with its result, not `requested` forever
    await operator.waitForSelector('#audit tbody tr:has-text("unblock ip=198.18.0.66 at firewall"):has-text("dry-run(removed)")');
  });

  it('acknowledges a finding with a reason and a ticket: audited, and marked acknowledged', async () => {
    await operator.goto(`${rig.console.url}/#live`);
    const row = operator.locator('#findings tbody tr:has-text("sip/scanner-ua"):has-text("ip=198.18.0.67")').first();
    const id = (await row.getAttribute('data-finding-id'))!;
    await row.locator('button.ack').click();
    await operator.fill('#action-why', 'known lab attacker');
    await operator.fill('#action-ticket', 'SEC-12');
    await operator.click('#action-submit');
    await operator.waitForSelector(`#findings tbody tr[data-finding-id="${id}"] .acked-label:has-text("acknowledged by ana (SEC-12)")`);
    expect(await waitFor('the acknowledgement on audit.v1', () => rig.audit.find((e) => e.ref?.kind === 'finding' && e.ref.id === id))).toMatchObject({
      actor: { type: 'operator', id: 'ana' },
      what: `acknowledge finding ${id}`,
      why: 'known lab attacker',
      ticket: 'SEC-12',
      outcome: 'acknowledged',
    });
  });

  it('refuses a viewer the unblock: no button on the page, and 403 from the server', async () => {
    const viewer = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await logIn(viewer, rig.console.url, USERS.viewer.name, USERS.viewer.password);
    await viewer.goto(`${rig.console.url}/#blocks`);
    await viewer.waitForSelector('#blocks tbody tr[data-target="198.18.0.68"]');
    expect(await viewer.locator('button.unblock, button.extend, button.ack').count()).toBe(0);
    expect(await viewer.locator('#allowlist-form').isVisible()).toBe(false);
    await screenshot(viewer, 'blocks-viewer');

    const before = rig.decisions.filter((d) => d.origin.type === 'operator').length;
    const answer = await viewer.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/blocks/unblock', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ target: '198.18.0.68', why: 'x', ticket: 'y' }) });
      return { status: res.status, body: await res.json() };
    });
    expect(answer).toEqual({ status: 403, body: { error: 'viewer may not do this (needs act)' } });
    await rig.bus.drained();
    expect(rig.decisions.filter((d) => d.origin.type === 'operator')).toHaveLength(before);
    await viewer.context().close();
  });

  it('renders user agents, display names and URIs that carry markup as text: no script runs', async () => {
    const now = new Date().toISOString();
    const hostile = (i: number, ua: string) => ({
      '@timestamp': now,
      event: { id: `xss${i}`, kind: 'event', dataset: 'sip.flow' },
      source: { ip: '198.51.100.66', port: 5060 },
      destination: { ip: '192.0.2.10', port: 5060 },
      network: { transport: 'udp' },
      user_agent: { original: ua },
      sip: { call_id: `xss-${i}@lab`, method: 'OPTIONS', status: 200, from: { user: '100', domain: 'pbx.example', display_name: '<script>window.__xss = "display"</script>' }, request_uri: 'sip:<img src=x onerror="window.__xss=\'uri\'">@pbx.example' },
    });
    const uas = ['<img src=x onerror="window.__xss=\'img\'">', '<script>window.__xss = "script"</script>'];
    await rig.feedRecords(uas.map((ua, i) => hostile(i, ua)));
    await rig.bus.drained();

    const dialogs: string[] = [];
    operator.on('dialog', (d) => void dialogs.push(d.message()));
    await operator.goto(`${rig.console.url}/#flows`);
    await operator.fill('#flow-query', '198.51.100.66');
    await operator.click('#flow-search button');
    await operator.waitForSelector('#flows tbody tr');
    expect((await operator.locator('#flows td.user-agent').allTextContents()).sort()).toEqual([...uas].sort());
    expect(await operator.locator('#flows td.display-name').first().textContent()).toBe('<script>window.__xss = "display"</script>');
    expect(await operator.locator('#flows td.uri').first().textContent()).toContain('<img src=x onerror=');
    await expect(operator.textContent('#flow-note')).resolves.toMatch(/^Searches the last 100,000 SIP flows this console has seen/);
    expect(await operator.locator('#flows img, #flows script').count()).toBe(0);
    expect(await operator.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await screenshot(operator, 'flows');
  });

  it('shows pipeline health: rates, lag, dead letters, circuit breaker', async () => {
    await operator.goto(`${rig.console.url}/#health`);
    await operator.waitForSelector('#health .health-card:has-text("circuit breaker")');
    await expect(operator.textContent('#health')).resolves.toMatch(/operator APIreachable.*circuit breakerclosed/);
    await operator.waitForSelector('#health .health-card:has-text("Records per second") dt:has-text("detect-source")');
    await screenshot(operator, 'health');
  });
  it('takes an allowlist range wider than /8 only with the box ticked, and shows an entry without expiry as permanent', async () => {
    const admin = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await logIn(admin, rig.console.url, USERS.admin.name, USERS.admin.password);
    await admin.goto(`${rig.console.url}/#blocks`);
    const allowlist = async (cidr: string, force: boolean) => {
      await admin.fill('#allowlist-cidr', cidr);
      await admin.setChecked('#allowlist-force', force);
      await admin.click('#allowlist-form button[type="submit"]');
      await admin.waitForSelector('#action-dialog[open]');
      await admin.fill('#action-why', 'wide range test');
      await admin.fill('#action-ticket', 'NOC-77');
      await admin.click('#action-submit');
    };
    await allowlist('0.0.0.0/0', false);
    await admin.waitForSelector('#notice:has-text("refused"):has-text("wider than /8")');
    await allowlist('10.9.8.7/16', false);
    await admin.waitForSelector('#allowlist tbody tr:has-text("10.9.0.0/16"):has-text("permanent"):has-text("root")');
    await allowlist('::/0', true);
    await admin.waitForSelector('#allowlist tbody tr:has-text("::/0"):has-text("permanent")');
    await rig.bus.drained();
    expect(rig.audit.filter((e) => e.actor.type === 'operator' && e.what.includes('allowlist')).map((e) => [e.actor.id, e.what])).toEqual([
      ['root', 'add allowlist 10.9.0.0/16 (permanent)'],
      ['root', 'add allowlist ::/0 (permanent), forced past the widest allowed range'],
    ]);
    await admin.context().close();
  });

  it('gives a page of another site nothing from the operator API on loopback: no token, and only JSON bodies', async () => {
    // a page the operator happens to open, from another origin on this host, trying the attack of issue 12
    const elsewhere = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>elsewhere</title>'));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', () => resolve()));
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
    const statuses = await page.evaluate(async (api) => {
      const tries = [
        fetch(`${api}/v1/allowlist`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ cidr: '0.0.0.0/0', force: true, who: 'ana', why: 'x', ticket: 'y' }) }),
        fetch(`${api}/v1/blocks`, { mode: 'cors' }).then((r) => r.status, () => 'blocked'),
      ];
      return Promise.all(tries.map((t) => Promise.resolve(t).then((r) => (typeof r === 'object' ? r.type : r), () => 'blocked')));
    }, rig.api.url);
    // the no-cors POST is sent (opaque answer: a 401); the read is refused by the browser
    expect(statuses).toEqual(['opaque', 'blocked']);
    await rig.bus.drained();
    expect(rig.audit.filter((e) => e.what.includes('0.0.0.0/0'))).toEqual([]);
    await page.context().close();
    elsewhere.close();
  });
});
