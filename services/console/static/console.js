'use strict';
// The console page: live findings and decisions from the event stream, blocks and health polled
// from the console API, flow search, charts, and the operator actions (each asks for a reason and
// a ticket; the server records who). Everything is rendered as text (see dom.js).

const MAX_ROWS = 200;
const session = { user: null, role: null, permissions: [] };
const acks = new Map();
const can = (p) => session.permissions.includes(p);
const $ = (id) => document.getElementById(id);

function time(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19);
}

function keyText(k) {
  return k ? `${k.type}=${k.value}` : '';
}

function notice(text, isError) {
  const n = $('notice');
  n.textContent = text;
  n.className = isError ? 'error' : 'ok';
}

function prependRow(tbody, row) {
  tbody.insertBefore(row, tbody.firstChild);
  while (tbody.children.length > MAX_ROWS) tbody.removeChild(tbody.lastChild);
}

// ---- live lists ---------------------------------------------------------------------------

function findingRow(f) {
  const counts = Object.entries(f.counts || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  const status = el('td', { class: 'status' });
  const row = el('tr', { 'data-finding-id': f.id, class: `sev-${f.severity}` },
    el('td', {}, time(f['@timestamp'])), el('td', {}, f.severity), el('td', {}, f.detector), el('td', {}, keyText(f.key)),
    el('td', {}, f.reason), el('td', {}, counts), status);
  renderAck(row, f.id);
  return row;
}

function renderAck(row, id) {
  const cell = row.querySelector('.status');
  clear(cell);
  const a = acks.get(id);
  if (a) {
    row.classList.add('acked');
    cell.append(el('span', { class: 'acked-label', title: `${a.why}` }, `acknowledged by ${a.who} (${a.ticket})`));
  } else if (can('act')) {
    cell.append(el('button', { type: 'button', class: 'ack', onclick: () => acknowledge(id) }, 'Acknowledge'));
  } else {
    cell.append('open');
  }
}

function decisionRow(d) {
  // the outcome (dry-run, applied, refused(allowlist) ...) and what was actually applied
  const ttl = d.outcome ? (d.ttl_applied_seconds ? `${d.ttl_applied_seconds}s` : '-') : (d.ttl_seconds ? `${d.ttl_seconds}s` : '');
  const why = d.outcome_reason ? `${d.reason} [${d.status}: ${d.outcome_reason}]` : d.reason;
  return el('tr', { 'data-decision-id': d.id, class: `mode-${d.mode} outcome-${d.outcome || 'unknown'}` },
    el('td', {}, time(d['@timestamp'])), el('td', { class: 'outcome', title: d.outcome_reason || '' }, d.status || d.mode), el('td', {}, d.action_applied || d.action), el('td', {}, keyText(d.target)),
    el('td', {}, d.scope), el('td', {}, ttl), el('td', {}, d.detector), el('td', {}, why));
}

function auditRow(e) {
  return el('tr', { 'data-audit-id': e.id },
    el('td', {}, time(e['@timestamp'])), el('td', {}, e.actor.id), el('td', {}, e.what), el('td', {}, e.why), el('td', {}, e.ticket || ''), el('td', {}, e.result));
}

function onAck(a) {
  acks.set(a.finding_id, a);
  const row = document.querySelector(`#findings tr[data-finding-id="${CSS.escape(a.finding_id)}"]`);
  if (row) renderAck(row, a.finding_id);
}

async function loadSnapshot() {
  const { json } = await api('GET', '/api/snapshot');
  for (const a of json.acks) acks.set(a.finding_id, a);
  const f = clear($('findings').tBodies[0]);
  for (const x of json.findings.slice(-MAX_ROWS)) prependRow(f, findingRow(x));
  const d = clear($('decisions').tBodies[0]);
  for (const x of json.decisions.slice(-MAX_ROWS)) prependRow(d, decisionRow(x));
  const a = clear($('audit').tBodies[0]);
  for (const x of json.audit.slice(-MAX_ROWS)) prependRow(a, auditRow(x));
}

function connect() {
  const es = new EventSource('/api/events');
  const state = $('stream-state');
  es.addEventListener('open', () => { state.textContent = 'live'; state.className = 'pill live'; });
  es.addEventListener('error', () => { state.textContent = 'reconnecting'; state.className = 'pill down'; });
  es.addEventListener('finding', (m) => prependRow($('findings').tBodies[0], findingRow(JSON.parse(m.data))));
  es.addEventListener('decision', (m) => prependRow($('decisions').tBodies[0], decisionRow(JSON.parse(m.data))));
  es.addEventListener('audit', (m) => {
    // a request's row comes again with its result: replace it in place
    const e = JSON.parse(m.data);
    const old = document.querySelector(`#audit tr[data-audit-id="${CSS.escape(e.id)}"]`);
    if (old) old.replaceWith(auditRow(e));
    else prependRow($('audit').tBodies[0], auditRow(e));
  });
  es.addEventListener('ack', (m) => onAck(JSON.parse(m.data)));
}

// ---- blocks and allowlist -----------------------------------------------------------------

function expires(iso) {
  if (!iso) return 'unknown';
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  return `${time(iso)} (${s > 0 ? `in ${s}s` : 'now'})`;
}

function evidence(list) {
  if (!list || list.length === 0) return '';
  return list.map((e) => (e.detector ? `${e.detector} ${Object.entries(e.counts || {}).map(([k, v]) => `${k}=${v}`).join(' ')} [${e.id}]` : `[${e.id}]`)).join('; ');
}

async function loadBlocks() {
  const { status, json } = await api('GET', '/api/blocks');
  $('blocks-error').textContent = status === 200 ? '' : json.error || `error ${status}`;
  if (status !== 200) return;
  const tb = clear($('blocks').tBodies[0]);
  if (json.blocks.length === 0) tb.append(el('tr', {}, el('td', { colspan: 9, class: 'empty' }, 'no live blocks')));
  for (const b of json.blocks) {
    const target = b.target.type === 'account' ? `account:${b.target.value}` : b.target.value;
    const actions = el('td', { class: 'act-col' });
    if (can('act')) {
      actions.append(
        el('button', { type: 'button', class: 'unblock', onclick: () => act('Unblock', target, '/api/blocks/unblock', { target, scope: b.scope }) }, 'Unblock'),
        el('button', { type: 'button', class: 'extend', onclick: () => act('Extend', target, '/api/blocks/extend', { target, scope: b.scope }, true) }, 'Extend'),
      );
    }
    tb.append(el('tr', { 'data-target': b.target.value },
      el('td', {}, keyText(b.target)), el('td', {}, b.action), el('td', {}, b.scope), el('td', {}, expires(b.expires_at)), el('td', {}, b.reason),
      el('td', { class: 'evidence' }, evidence(b.evidence)), el('td', {}, (b.actuators || []).join(', ') || 'this enforcer'),
      el('td', {}, b.operator ? `${b.operator.who} (${b.operator.ticket})` : ''), actions));
  }
}

async function loadAllowlist() {
  const { status, json } = await api('GET', '/api/allowlist');
  if (status !== 200) return;
  const tb = clear($('allowlist').tBodies[0]);
  for (const e of json.entries) {
    const actions = el('td', { class: 'act-col' });
    if (can('allowlist')) actions.append(el('button', { type: 'button', onclick: () => act('Remove from the allowlist', e.cidr, '/api/allowlist/remove', { cidr: e.cidr }) }, 'Remove'));
    tb.append(el('tr', {}, el('td', {}, e.cidr), el('td', {}, e.expires_at ? time(e.expires_at) : 'permanent'), el('td', {}, e.operator.who), el('td', {}, e.operator.ticket), el('td', {}, e.operator.why), actions));
  }
}

// ---- actions: every one asks for a reason and a ticket ------------------------------------

function askNote(title, subject, withTtl) {
  const dlg = $('action-dialog');
  $('action-title').textContent = title;
  $('action-subject').textContent = subject;
  $('action-ttl-label').hidden = !withTtl;
  $('action-why').value = '';
  $('action-ticket').value = '';
  $('action-error').textContent = '';
  dlg.showModal();
  return new Promise((resolve) => {
    const form = $('action-form');
    const done = (v) => { form.removeEventListener('submit', submit); $('action-cancel').removeEventListener('click', cancel); resolve(v); };
    const submit = (ev) => {
      ev.preventDefault();
      done({ why: $('action-why').value.trim(), ticket: $('action-ticket').value.trim(), ttl: Number($('action-ttl').value) });
    };
    const cancel = () => { dlg.close(); done(null); };
    form.addEventListener('submit', submit);
    $('action-cancel').addEventListener('click', cancel);
  });
}

async function act(title, subject, path, body, withTtl) {
  const note = await askNote(title, subject, withTtl);
  if (!note) return;
  const payload = { ...body, why: note.why, ticket: note.ticket };
  if (withTtl) payload.ttl_seconds = note.ttl;
  const r = await api('POST', path, payload);
  $('action-dialog').close();
  if (!r.ok) return notice(`${title} ${subject} refused: ${r.json.error || r.status}`, true);
  notice(`${title} ${subject}: requested by ${session.user} under ${note.ticket} (audited)`);
  setTimeout(() => { loadBlocks(); loadAllowlist(); }, 500);
}

function acknowledge(id) {
  return act('Acknowledge finding', id, '/api/findings/ack', { finding_id: id });
}

// ---- flow search --------------------------------------------------------------------------

async function searchFlows(q) {
  const { json } = await api('GET', `/api/flows?q=${encodeURIComponent(q)}`);
  $('flow-note').textContent = `Searches the last ${json.capacity.toLocaleString('en')} SIP flows this console has seen (holds ${json.held.toLocaleString('en')} now, of ${json.seen.toLocaleString('en')} seen since it started; older ones are no longer here). ${json.rows.length} match${json.rows.length === 1 ? '' : 'es'}${json.rows.length === 200 ? ' (first 200)' : ''}.`;
  const tb = clear($('flows').tBodies[0]);
  for (const r of json.rows) {
    tb.append(el('tr', {},
      el('td', {}, time(r.time)), el('td', {}, r.method), el('td', {}, r.status ?? 'timeout'), el('td', {}, r.source), el('td', {}, r.destination), el('td', {}, r.transport),
      el('td', {}, r.from), el('td', { class: 'display-name' }, r.display_name), el('td', {}, r.to), el('td', { class: 'uri' }, r.request_uri),
      el('td', { class: 'user-agent' }, r.user_agent), el('td', {}, r.account), el('td', { class: 'call-id' }, r.call_id)));
  }
}

// ---- health and charts --------------------------------------------------------------------

function healthCard(title, entries, bad) {
  const list = el('dl', {});
  const items = Object.entries(entries);
  if (items.length === 0) list.append(el('dd', {}, 'none'));
  for (const [k, v] of items) list.append(el('dt', {}, k), el('dd', { class: bad && v > 0 ? 'bad' : '' }, typeof v === 'number' ? String(Math.round(v * 10) / 10) : String(v)));
  return el('div', { class: 'health-card' }, el('h3', {}, title), list);
}

async function loadHealth() {
  const { json: h } = await api('GET', '/api/health');
  const breaker = h.enforcer.ok ? h.enforcer.circuit_open : h.circuit_open;
  $('breaker').hidden = !breaker;
  const box = clear($('health'));
  box.append(
    healthCard('Enforcer', {
      'operator API': h.enforcer.ok ? 'reachable' : `unreachable: ${h.enforcer.error}`,
      'circuit breaker': breaker === null || breaker === undefined ? 'unknown' : breaker ? 'OPEN: alert-only' : 'closed',
      'live blocks': h.live_blocks ?? 'unknown',
    }),
    healthCard('Records per second, by stage', h.rates),
    healthCard('Consumer lag, by stage', h.lag, true),
    healthCard('Dead letters, by topic', h.dlq, true),
    healthCard('Refused by guardrail', h.refused),
    healthCard('Failed batches, by stage', h.stage_failures, true),
    healthCard('Actuator failures', h.actuator_failures, true),
    healthCard('Metrics sources', Object.fromEntries(h.sources.map((s) => [s.name, s.ok ? 'ok' : `down: ${s.error}`]))),
  );
}

async function loadCharts() {
  const { json } = await api('GET', '/api/series');
  drawLine($('chart-flows'), json.flow_rate.map((p) => ({ t: p.t, v: p.counts.flows || 0 })));
  drawStacked($('chart-families'), json.findings_by_family, $('chart-legend'));
}

// ---- views --------------------------------------------------------------------------------

function show() {
  const view = (location.hash || '#live').slice(1);
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${view}`;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
}

async function main() {
  const { json: s } = await api('GET', '/api/session');
  Object.assign(session, { user: s.user, role: s.role, permissions: s.permissions });
  csrf.token = s.csrf;
  $('whoami').textContent = `${s.user} (${s.role})`;
  document.body.classList.add(`role-${s.role}`);
  $('allowlist-form').hidden = !can('allowlist');
  $('logout').addEventListener('click', async () => { await api('POST', '/logout', {}); location.assign('/login'); });
  $('flow-search').addEventListener('submit', (ev) => { ev.preventDefault(); searchFlows($('flow-query').value.trim()); });
  $('allowlist-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const cidr = $('allowlist-cidr').value.trim();
    // a range wider than the API's limit (/8, /32 for IPv6) is refused unless the operator says so
    act('Allowlist', cidr, '/api/allowlist', $('allowlist-force').checked ? { cidr, force: true } : { cidr });
  });
  window.addEventListener('hashchange', show);
  show();
  await loadSnapshot();
  connect();
  const poll = () => Promise.allSettled([loadBlocks(), loadAllowlist(), loadHealth(), loadCharts()]);
  await poll();
  setInterval(poll, 3000);
  document.body.dataset.ready = 'true';
}

main().catch((err) => notice(`console failed to start: ${err.message}`, true));
