'use strict';
// The incidents view, the console's landing page: the list (filters by time range, severity,
// detector and key; bulk acknowledge and resolve), and one incident in full: its timeline in
// kill-chain order, its findings with what they observed, its decisions with their outcomes, the
// ladder of each sample call, and the flows of its keys. Plus the manual decision form.

const incidentsState = { list: [], selected: null };

function keyList(keys) {
  return (keys || []).map((k) => `${k.type}:${k.value}`).join(', ');
}

function incidentFilters() {
  const q = new URLSearchParams();
  for (const [id, name] of [['f-since', 'since'], ['f-severity', 'severity'], ['f-status', 'status'], ['f-key', 'key']]) {
    const v = $(id).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

async function loadIncidents() {
  const { status, json } = await api('GET', `/api/incidents?${incidentFilters()}`);
  $('incidents-error').textContent = status === 200 ? '' : json.error || `error ${status}`;
  if (status !== 200) return;
  const detector = $('f-detector').value.trim().toLowerCase();
  const list = detector ? json.incidents.filter((i) => i.timeline.some((f) => f.rule_id.toLowerCase().includes(detector))) : json.incidents;
  incidentsState.list = list;
  const picked = new Set(pickedIncidents()); // the list refreshes while someone is selecting
  const tb = clear($('incidents').tBodies[0]);
  if (list.length === 0) tb.append(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'no incidents match')));
  for (const i of list) {
    const box = el('input', { type: 'checkbox', class: 'pick', 'data-id': i.id, 'aria-label': `select ${i.title}` });
    if (!can('act')) box.disabled = true;
    if (picked.has(i.id)) box.checked = true;
    const open = el('a', { href: `#incident/${encodeURIComponent(i.id)}`, class: 'incident-link' }, i.title);
    tb.append(el('tr', { 'data-incident-id': i.id, class: `sev-${i.severity} status-${i.status}` },
      el('td', {}, box), el('td', {}, i.severity), el('td', { class: 'status' }, i.status + (i.assignee ? ` (${i.assignee})` : '')), el('td', {}, open),
      el('td', { class: 'keys', title: keyList(i.keys) }, keyList(i.keys)), el('td', {}, `${i.finding_count}`), el('td', {}, time(i.first_seen)), el('td', {}, time(i.last_seen))));
  }
}

function pickedIncidents() {
  return [...document.querySelectorAll('#incidents input.pick:checked')].map((b) => b.dataset.id);
}

async function bulk(verb) {
  const ids = pickedIncidents();
  if (ids.length === 0) return notice('Select incidents first (the boxes on the left).', true);
  const title = verb === 'ack' ? 'Acknowledge incidents' : 'Resolve incidents';
  const note = await askNote(title, `${ids.length} incident${ids.length === 1 ? '' : 's'}`, false);
  if (!note) return;
  const r = await api('POST', `/api/incidents/${verb}`, { ids, why: note.why, ticket: note.ticket });
  $('action-dialog').close();
  if (!r.ok) return notice(`${title} refused: ${r.json.error || r.status}`, true);
  notice(`${title}: ${ids.length} by ${session.user} under ${note.ticket} (audited)`);
  setTimeout(loadIncidents, 400);
}

// ---- one incident --------------------------------------------------------------------------

async function showIncident(id) {
  const box = clear($('incident-detail'));
  const { status, json } = await api('GET', `/api/incident?id=${encodeURIComponent(id)}`);
  if (status !== 200) {
    box.append(el('p', { class: 'error' }, json.error || `error ${status}`));
    return;
  }
  const i = json.incident;
  incidentsState.selected = i;
  box.append(
    el('h2', { class: `sev-${i.severity}` }, i.title, ' ', el('small', {}, `${i.severity}, ${i.status}${i.assignee ? `, assigned to ${i.assignee}` : ''}`)),
    el('p', { class: 'meta' }, `first seen ${time(i.first_seen)}, last seen ${time(i.last_seen)}; phases: ${i.phases.join(' → ')}; keys: ${keyList(i.keys)}`),
  );
  // timeline, in kill-chain order
  const tl = el('table', { id: 'timeline' }, el('thead', {}, el('tr', {}, ...['phase', 'first seen', 'last seen', 'severity', 'detector', 'key', ''].map((h) => el('th', {}, h)))));
  const tbody = el('tbody');
  for (const f of i.timeline) {
    tbody.append(el('tr', { 'data-finding-id': f.id, class: `sev-${f.severity}` },
      el('td', { class: 'phase' }, f.phase), el('td', {}, time(f.first_seen)), el('td', {}, time(f.last_seen)), el('td', {}, f.severity),
      el('td', {}, f.rule_id), el('td', {}, `${f.key.type}=${f.key.value}`),
      el('td', {}, el('button', { type: 'button', class: 'evidence-btn', onclick: () => showFinding(f) }, 'Evidence'))));
  }
  tl.append(tbody);
  box.append(el('h3', {}, 'Timeline ', el('small', {}, `${i.finding_count} finding${i.finding_count === 1 ? '' : 's'}, kill-chain order`)), tl);
  // decisions with their outcomes
  const dt = el('table', { id: 'incident-decisions' }, el('thead', {}, el('tr', {}, ...['time', 'action', 'target', 'mode', 'outcome', 'ttl', 'result'].map((h) => el('th', {}, h)))));
  const db = el('tbody');
  if (i.decisions.length === 0) db.append(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'no decisions')));
  for (const d of i.decisions) {
    db.append(el('tr', { class: `outcome-${d.outcome || 'pending'}` }, el('td', {}, time(d['@timestamp'])), el('td', {}, d.action), el('td', {}, `${d.target.type}=${d.target.value}`),
      el('td', {}, d.mode), el('td', { class: 'outcome' }, d.outcome || 'waiting for the enforcer'), el('td', {}, `${d.ttl_seconds}s`), el('td', {}, d.result || '')));
  }
  dt.append(db);
  box.append(el('h3', {}, 'Decisions ', el('small', {}, 'with what the enforcer did')), dt);
  if (i.notes?.length) box.append(el('h3', {}, 'Notes'), el('ul', {}, ...i.notes.map((n) => el('li', {}, `${time(n['@timestamp'])} ${n.who} (${n.ticket}): ${n.text}`))));
  box.append(el('div', { id: 'finding-detail' }));
  box.append(el('h3', {}, 'Flows ', el('small', {}, 'recent SIP flows of the incident\'s sources, as far as this console holds them')), el('table', { id: 'incident-flows' }));
  const first = i.timeline.find((f) => f.key.type === 'ip') || i.timeline[0];
  if (first) await showFinding(first);
  await incidentFlows(i);
}

async function showFinding(f) {
  const box = clear($('finding-detail'));
  box.append(el('h3', {}, 'Evidence of ', el('span', { class: 'detector' }, f.rule_id), ` on ${f.key.type}=${f.key.value}`));
  const { status, json } = await api('GET', `/api/finding?id=${encodeURIComponent(f.id)}`);
  if (status !== 200) {
    box.append(el('p', { class: 'hint' }, json.error || `error ${status}`));
    return;
  }
  if (json.finding) box.append(el('p', { class: 'reason' }, json.finding.reason));
  const sets = Object.entries(json.observed || {});
  if (sets.length) {
    const dl = el('dl', { class: 'observed' });
    for (const [name, values] of sets) dl.append(el('dt', {}, name.replace(/_/g, ' ')), el('dd', {}, values.join(', ')));
    box.append(el('h4', {}, 'What it observed ', el('small', {}, '(a bounded sample)')), dl);
  }
  box.append(el('h4', {}, 'Sample calls')), box.append(el('div', { id: 'ladders' }));
  ladders($('ladders'), json.calls, json.evidence);
}

async function incidentFlows(i) {
  const table = clear($('incident-flows'));
  table.append(el('thead', {}, el('tr', {}, ...['time', 'method', 'status', 'source', 'to', 'user agent', 'call id'].map((h) => el('th', {}, h)))));
  const tb = el('tbody');
  const sources = i.keys.filter((k) => k.type === 'ip').slice(0, 3);
  for (const k of sources) {
    const { json } = await api('GET', `/api/flows?q=${encodeURIComponent(k.value)}`);
    for (const r of json.rows.slice(0, 20)) {
      tb.append(el('tr', {}, el('td', {}, time(r.time)), el('td', {}, r.method), el('td', {}, r.status ?? 'timeout'), el('td', {}, r.source), el('td', {}, r.to),
        el('td', { class: 'user-agent' }, r.user_agent), el('td', { class: 'call-id', title: r.call_id }, r.call_id)));
    }
  }
  if (!tb.firstChild) tb.append(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'no recent flows of these sources in this console')));
  table.append(tb);
}

// ---- manual decisions ----------------------------------------------------------------------

async function manualDecision(ev) {
  ev.preventDefault();
  const raw = $('m-target').value.trim();
  const action = $('m-action').value;
  const target = action === 'suspend' && !raw.startsWith('account:') ? `account:${raw}` : raw;
  const body = { target, action, ttl_seconds: Number($('m-ttl').value), why: $('m-why').value.trim(), ticket: $('m-ticket').value.trim() };
  const out = clear($('manual-result'));
  const r = await api('POST', '/api/decisions', body);
  if (!r.ok) {
    out.append(el('span', { class: 'error' }, `refused: ${r.json.error || r.status}`));
    return;
  }
  const d = r.json.decision || {};
  const o = d.outcome;
  const dry = d.mode === 'dry-run';
  const result = !o ? `${d.mode}, the enforcer has not answered yet` : o.result === 'refused' ? `refused${o.guardrail ? ` by ${o.guardrail}` : ''}` : `${o.result}${dry ? ' (dry-run)' : ''}`;
  const ttl = o ? o.ttl_applied_seconds : d.ttl_seconds;
  out.append(el('span', { class: `outcome outcome-${o ? o.result : 'pending'}`, 'data-decision-id': r.json.decision_id },
    `${(o && o.action_applied) || d.action} ${target}: ${result}${ttl ? ` for ${ttl}s` : ''}${o && o.reason ? ` (${o.reason})` : ''}; by ${session.user}, ticket ${body.ticket}, reason "${body.why}" (audited)`));
}
