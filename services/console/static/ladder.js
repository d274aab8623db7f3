'use strict';
// Ladder (sequence) diagrams of SIP calls, as sngrep and Homer draw them: one column per endpoint
// (address:port), one arrow per message with its method or status and its time. Pure SVG built
// with createElementNS and textContent: every label came from the network and stays text.

const SVG_NS = 'http://www.w3.org/2000/svg';
const COL_W = 220;
const ROW_H = 34;
const TOP = 46;
const LEFT = 110;

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function endpointOf(e) {
  const ip = e.ip.includes(':') ? `[${e.ip}]` : e.ip;
  return e.port === undefined ? ip : `${ip}:${e.port}`;
}

/** First line of the message: "INVITE sip:..." or "SIP/2.0 401 Unauthorized". */
function startLine(r) {
  const m = r.evidence.message;
  const end = m.indexOf('\n');
  return (end < 0 ? m : m.slice(0, end)).replace(/\r$/, '').slice(0, 200);
}

function label(r) {
  if (r.sip.status !== undefined) {
    const reason = startLine(r).replace(/^SIP\/2\.0\s+\d{3}\s*/i, '');
    return `${r.sip.status} ${reason}`.slice(0, 32);
  }
  return r.sip.method;
}

/**
 * One call's ladder. `records`: its evidence records in time order. `onPick(record)` runs when an
 * arrow is clicked (to show the message).
 */
function ladder(callId, records, onPick) {
  const cols = [];
  for (const r of records) for (const ep of [endpointOf(r.source), endpointOf(r.destination)]) if (!cols.includes(ep)) cols.push(ep);
  const width = LEFT + Math.max(cols.length, 2) * COL_W;
  const height = TOP + records.length * ROW_H + 20;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'ladder', role: 'img', 'aria-label': `ladder of call ${callId}` });
  const x = (ep) => LEFT + cols.indexOf(ep) * COL_W + COL_W / 2;
  const defs = svgEl('defs');
  const marker = svgEl('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);
  for (const ep of cols) {
    svg.append(svgEl('text', { x: x(ep), y: 18, class: 'endpoint', 'text-anchor': 'middle' }, ep));
    svg.append(svgEl('line', { x1: x(ep), y1: 26, x2: x(ep), y2: height - 8, class: 'lifeline' }));
  }
  const t0 = records.length ? Date.parse(records[0]['@timestamp']) : 0;
  records.forEach((r, i) => {
    const y = TOP + i * ROW_H + 14;
    const from = x(endpointOf(r.source));
    const to = x(endpointOf(r.destination));
    const t = Date.parse(r['@timestamp']);
    const g = svgEl('g', { class: `msg ${r.sip.status === undefined ? 'request' : `response s${String(r.sip.status)[0]}xx`}`, tabindex: 0, 'data-event-id': r.event.id });
    g.append(svgEl('title', {}, startLine(r)));
    g.append(svgEl('text', { x: 8, y: y + 4, class: 'time' }, `${new Date(t).toISOString().slice(11, 23)}`));
    g.append(svgEl('text', { x: 8, y: y + 16, class: 'delta' }, `+${((t - t0) / 1000).toFixed(3)}s`));
    g.append(svgEl('line', { x1: from, y1: y, x2: to === from ? from + 40 : to, y2: y, class: 'arrow', 'marker-end': 'url(#arrowhead)' }));
    g.append(svgEl('text', { x: (from + to) / 2, y: y - 5, class: 'label', 'text-anchor': 'middle' }, label(r)));
    g.addEventListener('click', () => onPick(r));
    g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') onPick(r); });
    svg.append(g);
  });
  return svg;
}

/** Ladders of every call in `records` (grouped by call id, in the order of `calls`), with a message pane. */
function ladders(box, calls, records) {
  clear(box);
  if (calls.length === 0) {
    box.append(el('p', { class: 'hint' }, 'No sample SIP messages for this finding: evidence is kept for captures and HEP, the first calls per source and account in each window (collector.evidence).'));
    return;
  }
  const pane = el('pre', { class: 'sip-message', 'aria-label': 'SIP message' }, 'Click an arrow to read its message (secrets masked by the collector).');
  for (const c of calls) {
    const own = records.filter((r) => r.sip.call_id === c);
    box.append(el('h4', { class: 'ladder-title' }, 'Call-ID ', el('code', { class: 'call-id', title: c }, c), ` (${own.length} messages)`));
    box.append(el('div', { class: 'ladder-scroll' }, ladder(c, own, (r) => {
      const head = `${r['@timestamp']}  ${endpointOf(r.source)} -> ${endpointOf(r.destination)} ${r.network.transport.toUpperCase()}` +
        `${r.evidence.truncated ? `  (first ${r.evidence.message.length} of ${r.evidence.length} bytes)` : ''}${r.evidence.redacted.length ? `  masked: ${r.evidence.redacted.join(', ')}` : ''}\n\n`;
      pane.textContent = head + r.evidence.message;
    })));
  }
  box.append(pane);
}
