// The summary as a self-contained HTML page. Every value is escaped: what, why, tickets and ids
// came from the network and from operators, and the page is opened in a browser.
import type { Manifest } from './manifest';
import type { Summary } from './summary';

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function summaryHtml(s: Summary, m: Omit<Manifest, 'files'>): string {
  const table = (head: string[], rows: unknown[][], empty: string) =>
    rows.length === 0
      ? `<p class="none">${escapeHtml(empty)}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const detections = Object.entries(s.detections).flatMap(([family, byDetector]) => Object.entries(byDetector).map(([d, n]) => [family, d, n]));
  const familyTotals = Object.entries(s.detections).map(([family, byDetector]) => [family, Object.values(byDetector).reduce((a, b) => a + b, 0)]);
  const actions = Object.entries(s.actions).flatMap(([action, byOutcome]) => Object.entries(byOutcome).map(([o, n]) => [action, o, n]));
  const hits = s.allowlistHits.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>callsentry audit summary ${escapeHtml(m.period.from)} to ${escapeHtml(m.period.to)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:.2em .6em;text-align:left;vertical-align:top}.none{color:#555}.alarm{color:#a00;font-weight:bold}.ok{color:#070}code{font-size:.9em}</style>
</head><body>
<h1>Audit summary</h1>
<p>Period (by time recorded): <b>${escapeHtml(m.period.from)}</b> to <b>${escapeHtml(m.period.to)}</b> (end excluded). Entries: <b>${escapeHtml(m.entries.count)}</b>${
    m.first && m.last ? `, sequence ${escapeHtml(m.first.sequence)} to ${escapeHtml(m.last.sequence)}` : ''
  }. Created ${escapeHtml(m.created_at)}.</p>
<p>First entry's hash_prev: <code>${escapeHtml(m.first?.hash_prev ?? m.previous?.hash ?? 'none')}</code><br>Last hash: <code>${escapeHtml(m.last?.hash ?? 'none')}</code><br>Signing key SHA-256: <code>${escapeHtml(m.public_key.sha256)}</code></p>
<p>Check this export with <code>callsentry audit verify DIR --public-key TRUSTED.pem</code>: signature, file hashes and the chain.</p>
<h2>Blocks that hit allowlisted ranges</h2>
${hits === 0 ? '<p class="ok">None.</p>' : `<p class="alarm">${escapeHtml(hits)} block(s) applied to allowlisted ranges:</p>` + table(['sequence', 'time', 'what', 'result', 'allowlisted range'], s.allowlistHits.map((h) => [h.sequence, h.at, h.what, h.result, h.range]), '')}
<h2>Detections by family</h2>
${table(['family', 'findings'], familyTotals, 'No detections.')}
${table(['family', 'detector', 'findings'], detections, '')}
<h2>Actions taken</h2>
${table(['action', 'outcome', 'count'], actions, 'No enforcement outcomes.')}
<h2>Refusals by guardrail</h2>
${table(['guardrail', 'refused or turned alert-only'], Object.entries(s.refusals), 'No refusals.')}
<h2>Operator changes</h2>
${table(['sequence', 'time', 'who', 'what', 'why', 'ticket', 'result'], s.operatorChanges.map((c) => [c.sequence, c.at, c.who, c.what, c.why, c.ticket, c.result]), 'No operator changes.')}
</body></html>
`;
}
