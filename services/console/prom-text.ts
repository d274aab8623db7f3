// Reads the Prometheus text format (what every callsentry process serves at /metrics) into
// samples, so the console summarises health the same way from its own registry (embedded) as from
// the stages' endpoints (production).
// Kept hand-written (issue 13): prom-client, which writes the format for every process, has no
// reader, and the console needs only the sample lines (name, labels, value) of endpoints callsentry
// itself serves; these twenty lines, with their test, are less to trust than another dependency.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    const value = Number(m[3]);
    if (Number.isFinite(value)) out.push({ name: m[1], labels, value });
  }
  return out;
}

/** Sum of a metric's samples, grouped by one label ('' sums everything under one key). */
export function sumBy(samples: Sample[], name: string, label = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const k = label ? (s.labels[label] ?? '') : 'total';
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}
