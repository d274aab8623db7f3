// The NOC's workflow in a real browser (Debian's Chromium, headless, playwright-core) over the
// embedded pipeline and the lab-dev capture: incidents are the landing view; an incident drills
// down to its timeline, decisions and the ladder of a sample call; a manual block and an account
// suspend show their outcome (dry-run) with reason and ticket and are audited; an allowlisted
// address's block is shown refused; a bulk acknowledge. Screenshots go to .run/screenshots/ and
// (incident view, ladder) to docs/ for the README.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, logIn, screenshot } from './browser';
import { startRig, USERS, waitFor, type ConsoleRig } from './console-rig';

const PBX_PCAP = path.resolve(__dirname, '../../../shared/data/lab-dev/pbx.pcap');
const DOCS = path.resolve(__dirname, '../../docs');

describe('incidents in the NOC console', () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    rig = await startRig();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    await logIn(page, rig.console.url, USERS.operator.name, USERS.operator.password);
    await rig.feedCapture(PBX_PCAP);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  /** Fills the reason-and-ticket dialog and confirms. */
  async function confirm(why: string, ticket: string): Promise<void> {
    await page.waitForSelector('#action-dialog[open]');
    await page.fill('#action-why', why);
    await page.fill('#action-ticket', ticket);
    await page.click('#action-submit');
  }

  it('lands on the incidents, one per attacker, with times in UTC and the dry-run banner', async () => {
    expect(new URL(page.url()).hash).toBe('');
    await page.waitForSelector('#view-incidents:not([hidden])');
    const row = page.locator('#incidents tbody tr[data-incident-id]:has(td.keys:has-text("ip:198.18.0.66"))');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').nth(6).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await page.waitForSelector('#dry-run-banner:not([hidden]):has-text("DRY-RUN")');
  });

  it('drills from an incident down to the ladder of a sample call of the lab capture', async () => {
    await page.click('#incidents tbody tr:has(td.keys:has-text("ip:198.18.0.66")) a.incident-link');
    await page.waitForSelector('#timeline tbody tr');
    // kill-chain order: the scan comes before the enumeration
    const phases = await page.locator('#timeline td.phase').allTextContents();
    expect(phases.indexOf('scan')).toBeLessThan(phases.lastIndexOf('enumeration'));
    await page.waitForSelector('#incident-decisions tbody tr');
    await page.waitForSelector('#ladders svg.ladder'); // the first finding's ladder comes by itself
    // the enumeration's evidence: REGISTERs for extensions, answered 404 or 401
    await page.click('#timeline tbody tr:has(td.phase:has-text("enumeration")) button.evidence-btn');
    await page.waitForSelector('#finding-detail h3:has-text("sip/extension-enumeration")');
    const ladder = page.locator('#ladders svg.ladder').first();
    await ladder.waitFor();
    expect(await ladder.locator('text.endpoint').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^198\.18\.0\.66:\d+$/)]));
    const arrows = ladder.locator('g.msg');
    expect(await arrows.count()).toBeGreaterThanOrEqual(2);
    expect(await ladder.locator('g.msg text.label').allTextContents()).toEqual(expect.arrayContaining(['REGISTER']));
    await arrows.first().locator('text.label').click();
    await page.waitForSelector('pre.sip-message:has-text("REGISTER sip:")');
    await screenshot(page, 'incident');
    copyFileSync(await screenshot(page, 'incident-view'), path.join(DOCS, 'console-incident.png'));
    const ladderBox = page.locator('#finding-detail');
    await ladderBox.screenshot({ path: path.join(DOCS, 'console-ladder.png') });
  });

  it('renders hostile SIP text in the ladder as text', async () => {
    // every network field of an evidence record tries markup: the page's own ladder code must draw it as text
    const evil = '<img src=x onerror=window.pwned=1>';
    // the ladder pane renders any message through textContent: inject one into the pane directly via the page's own function
    const injected = (await page.evaluate(`(() => {
      const m = ${JSON.stringify(evil)};
      const box = document.createElement('div');
      document.body.append(box);
      ladders(box, ['c'], [{ '@timestamp': new Date().toISOString(), event: { id: 'x' }, source: { ip: m, port: 1 }, destination: { ip: '1.2.3.4', port: 2 }, network: { transport: 'udp' }, sip: { call_id: 'c', method: m }, evidence: { message: m, redacted: [], truncated: false, length: 1 } }]);
      box.querySelector('g.msg').dispatchEvent(new MouseEvent('click'));
      const out = { images: box.querySelectorAll('img').length, labels: [...box.querySelectorAll('text')].map((t) => t.textContent), pane: box.querySelector('pre').textContent };
      box.remove();
      return out;
    })()`)) as { images: number; labels: string[]; pane: string };
    expect(injected.labels).toContain(evil);
    expect(injected.images).toBe(0);
    expect(injected.pane).toContain(evil);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
  });

  it('applies a manual block and an account suspend (dry-run), with reason and ticket, audited', async () => {
    await page.selectOption('#m-action', 'block');
    await page.fill('#m-target', '203.0.113.50');
    await page.fill('#m-ttl', '14400');
    await page.fill('#m-why', 'scanner seen by the SBC team');
    await page.fill('#m-ticket', 'NOC-7001');
    await page.click('#manual-form button[type=submit]');
    await page.waitForSelector('#manual-result:has-text("block 203.0.113.50: applied (dry-run) for 14400s"):has-text("NOC-7001"):has-text("scanner seen by the SBC team")');
    const block = await waitFor('the block on audit.v1', () => rig.audit.find((e) => e.actor.type === 'operator' && e.what.startsWith('block ip=203.0.113.50')));
    expect(block).toMatchObject({ actor: { id: USERS.operator.name }, ticket: 'NOC-7001', why: 'scanner seen by the SBC team' });

    await page.selectOption('#m-action', 'suspend');
    await page.fill('#m-target', 'account:1001');
    await page.fill('#m-why', 'fraud runbook: suspend the account');
    await page.fill('#m-ticket', 'FRAUD-42');
    await page.click('#manual-form button[type=submit]');
    await page.waitForSelector('#manual-result:has-text("suspend-account account:1001: applied (dry-run)"):has-text("FRAUD-42")');
    const suspend = await waitFor('the suspension on audit.v1', () => rig.audit.find((e) => e.actor.type === 'operator' && e.what.startsWith('suspend-account account=1001')));
    expect(suspend).toMatchObject({ ticket: 'FRAUD-42', why: 'fraud runbook: suspend the account' });
    await waitFor('the enforcer outcome of the suspension', () => rig.audit.find((e) => e.actor.type === 'enforcer' && e.ref?.id === suspend.ref?.id));
  });

  it('shows the block of an allowlisted address as refused', async () => {
    // an admin allowlists the range (operators may not)
    const admin = await (await browser.newContext()).newPage();
    await logIn(admin, rig.console.url, USERS.admin.name, USERS.admin.password);
    await admin.goto(`${rig.console.url}/#blocks`);
    await admin.fill('#allowlist-cidr', '198.51.100.0/24');
    await admin.click('#allowlist-form button[type=submit]');
    await admin.waitForSelector('#action-dialog[open]');
    await admin.fill('#action-why', 'carrier trunk');
    await admin.fill('#action-ticket', 'NOC-815');
    await admin.click('#action-submit');
    await admin.waitForSelector('#allowlist tbody tr:has-text("198.51.100.0/24")');
    await admin.context().close();
    await page.goto(`${rig.console.url}/#incidents`);
    await page.selectOption('#m-action', 'block');
    await page.fill('#m-target', '198.51.100.7');
    await page.fill('#m-why', 'test the guardrail');
    await page.fill('#m-ticket', 'NOC-816');
    await page.click('#manual-form button[type=submit]');
    await page.waitForSelector('#manual-result .outcome-refused:has-text("block 198.51.100.7: refused by allowlist")');
  });

  it('acknowledges two incidents at once', async () => {
    await page.goto(`${rig.console.url}/#incidents`);
    const open = page.locator('#incidents tbody tr.status-open input.pick');
    await open.first().waitFor();
    const ids = [await open.nth(0).getAttribute('data-id'), await open.nth(1).getAttribute('data-id')];
    await open.nth(0).check();
    await open.nth(1).check();
    await page.click('#bulk-ack');
    await confirm('known lab attackers', 'NOC-900');
    await page.waitForSelector('#notice:has-text("Acknowledge incidents: 2 by ana under NOC-900")');
    for (const id of ids) await page.waitForSelector(`#incidents tbody tr[data-incident-id="${id}"] td.status:has-text("acknowledged")`);
    await waitFor('the acknowledgements on audit.v1', () => ids.every((id) => rig.audit.some((e) => e.actor.type === 'operator' && e.ref?.id === id)));
  });
});
