import { describe as describeDecision } from '../enforcer/audit-events';
import { decision } from '../enforcer/test-decisions';
import { GENESIS_HASH } from './canonical';
import { SummaryBuilder } from './summary';
import { escapeHtml, summaryHtml } from './summary-html';
import { memoryChain, sampleDrafts } from './test-records';
import { outcomeEvent } from '../enforcer/audit-events';
import { eventDraft } from './drafts';

const manifest = {
  kind: 'callsentry-audit-export' as const,
  version: 1 as const,
  period: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
  created_at: '2026-03-02T00:00:00.000Z',
  entries: { file: 'entries.ndjson', format: 'ndjson' as const, count: 10 },
  counts_by_actor: {},
  first: { sequence: 0, hash: 'a'.repeat(64), hash_prev: GENESIS_HASH },
  last: { sequence: 9, hash: 'b'.repeat(64) },
  previous: null,
  public_key: { file: 'public-key.pem', sha256: 'c'.repeat(64) },
};

async function summarise(allowlist: string[], extra = [] as ReturnType<typeof sampleDrafts>) {
  const drafts = [...sampleDrafts(), ...extra];
  const chain = await memoryChain(drafts.length, (i) => drafts[i]);
  const b = new SummaryBuilder(allowlist);
  chain.forEach((e) => b.add(e));
  return b.result();
}

describe('summary of a period', () => {
  it('counts detections by family, actions by outcome, refusals by guardrail, and lists operator changes with who, why and ticket', async () => {
    const s = await summarise(['192.0.2.0/24']);
    expect(s.detections).toEqual({ sip: { 'sip/request-flood': 1, 'sip/scanner-ua': 1 }, fraud: { 'fraud/high-cost-destination': 1 } });
    expect(s.actions).toEqual({ block: { applied: 1, refused: 1 }, 'suspend-account': { refused: 1 } });
    expect(s.refusals).toEqual({ allowlist: 1, 'circuit-breaker': 1 });
    expect(s.operatorChanges).toEqual([expect.objectContaining({ who: 'alice', why: 'customer PBX behind NAT', ticket: 'NOC-4711', what: 'unblock ip=203.0.113.50 at firewall' })]);
    // the allowlisted target was refused, not blocked
    expect(s.allowlistHits).toEqual([]);
  });

  it('reports a block applied inside an allowlisted range (an address or an overlapping CIDR)', async () => {
    const leak = decision('d9', 'block', 'firewall', '198.51.100.0/28', { origin: { type: 'detector', id: 'sip/distributed-flood' } });
    const s = await summarise(['192.0.2.0/24', '198.51.100.7'], [eventDraft(outcomeEvent({ decision: leak, result: 'applied', details: ['nft: ok'] }, 'enforcer-1', '2026-03-01T00:00:09Z'))]);
    expect(s.allowlistHits.map((h) => `${h.what} | ${h.range}`)).toEqual(['block cidr=198.51.100.0/28 at firewall for 60s | 198.51.100.7']);
    // and an address inside a configured range
    const s2 = await summarise(['203.0.113.0/24']);
    expect(s2.allowlistHits.map((h) => h.range)).toEqual(['203.0.113.0/24']);
  });

  it('reads the enforcer\'s own description of a decision (a change to its wording breaks this test, not the report)', () => {
    const d = decision('d', 'deny-peer', 'relay', '10.0.0.5', { mode: 'dry-run' });
    expect(`dry-run ${describeDecision(d)}`).toMatch(/^dry-run deny-peer ip=10\.0\.0\.5 at relay for 60s$/);
  });

  it('escapes every value in the HTML report', async () => {
    const evil = '<script>alert("x")</script>';
    const drafts = sampleDrafts();
    const op = { ...drafts[9], actor: { type: 'operator' as const, id: `<img src=x onerror=alert(1)>` }, why: evil, ticket: `"><svg onload=alert(2)>`, what: `unblock & <b>` };
    const det = { ...drafts[0], actor: { type: 'detector' as const, id: `sip/<i>x</i>` } };
    const chain = await memoryChain(2, (i) => [op, det][i]);
    const b = new SummaryBuilder([]);
    chain.forEach((e) => b.add(e));
    const html = summaryHtml(b.result(), { ...manifest, period: { from: '<p>', to: "'" } });
    for (const raw of ['<script', '<img src=x', '<svg onload', '<i>x</i>', 'unblock & <b>', 'summary <p>', '<b>\'</b>']) expect(html).not.toContain(raw);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(html).toContain('unblock &amp; &lt;b&gt;');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('counts values that are names of Object properties like any other (found by the property test)', async () => {
    const drafts = ['toString', '__proto__', 'constructor'].map((id, i) => ({ ...sampleDrafts()[0], source_id: `s${i}`, actor: { type: 'detector' as const, id } }));
    const enforcer = { ...sampleDrafts()[6], source_id: 'e', result: 'toString', what: '__proto__ ip=1.2.3.4 at firewall' };
    const chain = await memoryChain(4, (i) => [...drafts, enforcer][i]);
    const b = new SummaryBuilder([]);
    chain.forEach((e) => b.add(e));
    const s = b.result();
    expect(Object.entries(s.detections).map(([f, d]) => [f, Object.entries(d)])).toEqual([
      ['toString', [['toString', 1]]],
      ['__proto__', [['__proto__', 1]]],
      ['constructor', [['constructor', 1]]],
    ]);
    expect(Object.entries(s.actions.__proto__)).toEqual([['toString', 1]]);
    expect(summaryHtml(s, manifest)).toContain('<td>__proto__</td><td>toString</td><td>1</td>');
  });

  it('says so when no block hit an allowlisted range', async () => {
    const b = new SummaryBuilder([]);
    expect(summaryHtml(b.result(), manifest)).toMatch(/Blocks that hit allowlisted ranges<\/h2>\s*<p class="ok">None\.<\/p>/);
  });
});
