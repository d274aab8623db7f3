'use strict';
// Two small charts drawn as SVG on the page itself (no library, nothing fetched from elsewhere):
// a line of the flow rate, and stacked bars of findings by family.

const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 160;
const PAD = { left: 40, right: 8, top: 10, bottom: 20 };
const FAMILY_COLORS = { dos: '#d9480f', recon: '#f59f00', credential: '#ae3ec9', fraud: '#c92a2a', policy: '#1c7ed6', relay: '#0ca678' };

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function axes(svg, points, max) {
  svg.append(
    svgEl('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }),
    svgEl('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end', class: 'tick' }, String(max)),
    svgEl('text', { x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end', class: 'tick' }, '0'),
  );
  if (points.length) {
    const hhmm = (t) => new Date(t).toISOString().slice(11, 16);
    svg.append(
      svgEl('text', { x: PAD.left, y: H - 4, class: 'tick' }, hhmm(points[0].t)),
      svgEl('text', { x: W - PAD.right, y: H - 4, 'text-anchor': 'end', class: 'tick' }, hhmm(points[points.length - 1].t)),
    );
  }
}

function drawLine(svg, points) {
  clear(svg);
  const max = Math.max(1, ...points.map((p) => p.v));
  axes(svg, points, max);
  const x = (i) => PAD.left + (i * (W - PAD.left - PAD.right)) / Math.max(1, points.length - 1);
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  svg.append(svgEl('polyline', { points: points.map((p, i) => `${x(i)},${y(p.v)}`).join(' '), class: 'line' }));
}

function drawStacked(svg, points, legend) {
  clear(svg);
  clear(legend);
  const families = [...new Set(points.flatMap((p) => Object.keys(p.counts)))].sort();
  const max = Math.max(1, ...points.map((p) => Object.values(p.counts).reduce((a, b) => a + b, 0)));
  axes(svg, points, max);
  const bw = (W - PAD.left - PAD.right) / Math.max(1, points.length);
  const scale = (v) => (v / max) * (H - PAD.top - PAD.bottom);
  points.forEach((p, i) => {
    let base = H - PAD.bottom;
    for (const f of families) {
      const h = scale(p.counts[f] || 0);
      if (h <= 0) continue;
      base -= h;
      const r = svgEl('rect', { x: PAD.left + i * bw + 1, y: base, width: Math.max(1, bw - 2), height: h, fill: FAMILY_COLORS[f] || '#868e96' });
      r.append(svgEl('title', {}, `${f}: ${p.counts[f]}`));
      svg.append(r);
    }
  });
  for (const f of families) legend.append(el('span', { class: `swatch fam-${f}` }, f));
}
