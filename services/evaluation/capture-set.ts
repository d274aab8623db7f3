// A directory of labelled captures: X.pcap, X.pcapng or X.ndjson, each with its ground truth in
// X.labels.json beside it. A capture without a labels file is benign: it has no attack, and every
// finding on it is a false one. A labels file without its capture is an error.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CallsentryError } from '../core/errors';
import { parseLabels, type Labels } from './labels';

export interface LabelledCapture {
  name: string;
  file: string;
  labels: Labels;
  /** no labels file: benign traffic */
  benign: boolean;
}

const CAPTURE = /^(.+)\.(pcap|pcapng|ndjson)$/;
const LABELS = /^(.+)\.labels\.json$/;

export function readCaptureSet(dir: string): LabelledCapture[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new CallsentryError('USAGE', `cannot read the directory ${dir}: ${(err as Error).message}`);
  }
  const labelled = new Set(names.flatMap((n) => LABELS.exec(n)?.[1] ?? []));
  const captures = names.flatMap((n) => {
    const m = CAPTURE.exec(n);
    return m ? [{ base: m[1]!, file: path.join(dir, n) }] : [];
  });
  const orphans = [...labelled].filter((base) => !captures.some((c) => c.base === base));
  if (orphans.length) throw new CallsentryError('USAGE', `${dir}: labels without a capture (X.pcap, X.pcapng or X.ndjson): ${orphans.map((b) => `${b}.labels.json`).join(', ')}`);
  if (captures.length === 0) throw new CallsentryError('USAGE', `${dir}: no capture (*.pcap, *.pcapng, *.ndjson)`);
  const bases = captures.map((c) => c.base);
  const twice = bases.filter((b, i) => bases.indexOf(b) !== i);
  if (twice.length) throw new CallsentryError('USAGE', `${dir}: more than one capture named ${twice[0]} (one labels file each)`);
  return captures.map(({ base, file }) => {
    if (!labelled.has(base)) return { name: base, file, labels: { events: [], neverBlock: [] }, benign: true };
    const labelsFile = path.join(dir, `${base}.labels.json`);
    return { name: base, file, labels: parseLabels(readFileSync(labelsFile, 'utf8'), labelsFile), benign: false };
  });
}
